import { fonedynamics } from '@triage/vendors/fonedynamics';
import { describeFixtures, type FixtureExpectation } from '../fixture-suite.ts';

const SEVERAL =
  "At least one of the parameters 'Region', 'Locality' or 'Postcode' must be provided.";

/** Every recorded response in fixtures/fonedynamics and what it must classify as. */
const EXPECTED: Record<string, FixtureExpectation> = {
  'parameter-required': {
    category: 'validation',
    code: 'PARAMETER_REQUIRED',
    message: "The parameter 'To' is required.",
    status: 400,
    fields: [
      { name: 'To', code: 'PARAMETER_REQUIRED', message: "The parameter 'To' is required." },
    ],
    effect: 'none',
  },
  'one-of-several-parameters-required': {
    category: 'validation',
    code: 'ONE_OF_SEVERAL_PARAMETERS_REQUIRED',
    message: SEVERAL,
    status: 400,
    fields: ['Region', 'Locality', 'Postcode'].map((name) => ({
      name,
      code: 'ONE_OF_SEVERAL_PARAMETERS_REQUIRED',
      message: SEVERAL,
    })),
    effect: 'none',
  },
  'number-not-found': {
    category: 'validation',
    code: 'NUMBER_NOT_FOUND',
    message: 'A matching phone number could not be found.',
    status: 400,
    fields: [
      {
        name: 'PhoneNumber',
        code: 'NUMBER_NOT_FOUND',
        message: 'A matching phone number could not be found.',
      },
    ],
    effect: 'none',
  },
  forbidden: {
    category: 'auth',
    refreshable: false,
    code: 'FORBIDDEN',
    message: 'You do not have permission to access this property.',
    status: 403,
    fields: [],
    effect: 'none',
  },
  'address-cannot-be-deleted': {
    category: 'validation',
    code: 'ADDRESS_CANNOT_BE_DELETED',
    message: 'The address cannot be deleted as 2 numbers are linked to it.',
    status: 403,
    fields: [],
    effect: 'none',
  },
  unauthorized: {
    category: 'auth',
    refreshable: false,
    code: 'Unauthorized',
    message: 'Invalid BasicAuth Credentials',
    status: 401,
    fields: [],
    effect: 'none',
  },
  'internal-server-error': {
    category: 'retryable',
    code: 'NullReferenceException',
    message: 'Object reference not set to an instance of an object.',
    status: 500,
    fields: [],
    effect: 'unknown',
  },
  'message-sent': undefined,
  'cloudflare-502': {
    category: 'retryable',
    message: 'HTTP 502',
    status: 502,
    fields: [],
    effect: 'unknown',
  },
  'empty-500': {
    category: 'retryable',
    message: 'HTTP 500',
    status: 500,
    fields: [],
    effect: 'unknown',
  },
};

describeFixtures(fonedynamics, 'POST', EXPECTED);
