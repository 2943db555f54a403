import { voipnow } from '@triage/vendors/voipnow';
import { describeFixtures, type FixtureExpectation } from '../fixture-suite.ts';

/** Every recorded response in fixtures/voipnow and what it must classify as. */
const EXPECTED: Record<string, FixtureExpectation> = {
  'expired-token': {
    category: 'auth',
    refreshable: true,
    code: 'expired_token',
    message: 'Token is expired or otherwise invalid.',
    status: 401,
    fields: [],
    effect: 'none',
  },
  'pce-access-denied': {
    category: 'auth',
    refreshable: false,
    code: 'pce_access_denied',
    message: 'You are not allowed to manage Call Events.',
    status: 403,
    fields: [],
    effect: 'none',
  },
  'filtervalue-invalid': {
    category: 'validation',
    code: 'filtervalue_invalid',
    message: 'Parameter filterValue contains invalid numbers.',
    status: 400,
    fields: [],
    effect: 'none',
  },
  'internal-server-error': {
    category: 'retryable',
    code: 'internal_server_error',
    message: 'An internal server error occurred. Please contact the administrator.',
    status: 500,
    fields: [],
    effect: 'unknown',
    retry: { retries: 2, idempotentOnly: true },
  },
  'pce-fail-add': {
    category: 'fatal',
    code: 'pce_fail_add',
    message: 'Failed to add the event.',
    status: 500,
    fields: [],
    effect: 'unknown',
    retry: { retries: 0 },
  },
  'not-implemented': {
    category: 'fatal',
    code: 'not_implemented',
    message: 'The operation is not implemented.',
    status: 501,
    fields: [],
    effect: 'none',
  },
  'phone-calls-list': undefined,
  'phone-call-event-deleted': undefined,
  'apache-503': {
    category: 'retryable',
    throttle: true,
    message: 'HTTP 503',
    status: 503,
    fields: [],
    effect: 'unknown',
    retryAfterMs: 30_000,
  },
  'truncated-400': {
    category: 'validation',
    message: 'HTTP 400',
    status: 400,
    fields: [],
    effect: 'none',
  },
};

describeFixtures(voipnow, 'GET', EXPECTED);
