import type { CodeRule, CodeTable } from '@triage/core';
import { codeTable } from '../shared/code-table.ts';

// Every ErrorCode on Fone Dynamics' "REST API Errors" page (helpdesk.fonedynamics.com article
// 17000105860; kept as vendor-docs/fonedynamics-errors.txt) and every fonedynamics row of
// classification.csv. "page" in a reason means that page. The page does not pair codes with
// HTTP statuses, so a code means the same on any status.

/** A rejected request: nothing happened, fix it and send it again (page: 400 / 403). */
function rejected(description: string, note?: string): CodeRule {
  return {
    category: 'validation',
    effect: 'none',
    reason: `"${description}" (page)${note === undefined ? '' : `: ${note}`}`,
  };
}

/** Fone Dynamics ErrorCodes → meaning. */
export const fonedynamicsCodes: CodeTable = codeTable({
  ADDRESS_CANNOT_BE_DELETED: rejected(
    'A request to delete an address could not be processed as there are existing numbers which are linked to this address.',
    'the 403 "invalid state" case; unlink the numbers first',
  ),
  NUMBER_BELONGS_TO_DIFFERENT_PROPERTY: rejected(
    'The number provided in the request belongs to a different property than the one provided in the request.',
  ),
  COUNTRY_UNAVAILABLE: rejected(
    'Attempted access to a country which is not available.',
    'not enabled for the account; not transient',
  ),
  FORBIDDEN: {
    category: 'auth',
    effect: 'none',
    refreshable: false,
    reason:
      '"A request could not be processed due to missing permissions." (page): the credentials are static HTTP Basic AccountSid:Token, so nothing to refresh',
  },
  PARAMETER_REQUIRED: rejected(
    'A required parameter is missing.',
    'the name is in Errors[].FieldName',
  ),
  PARAMETER_INVALID: rejected(
    'A supplied parameter is not within appropriate bounds.',
    'the name is in Errors[].FieldName',
  ),
  PARAMETER_TOO_SHORT: rejected('A provided parameter is too short.'),
  PARAMETER_TOO_LONG: rejected('A provided parameter is too long.'),
  ONE_OF_SEVERAL_PARAMETERS_REQUIRED: rejected(
    'At least one parameter from several parameters must be provided.',
    'the names are concatenated in Errors[].FieldName',
  ),
  ADDRESS_NOT_FOUND: rejected('A matching address could not be found.'),
  NUMBER_NOT_FOUND: rejected('A matching phone number could not be found.'),
  LOCATION_NOT_FOUND: rejected(
    'The combination of geographical filters that were provided cannot be resolved to a known location.',
  ),
  COUNTRY_NOT_FOUND: rejected('A matching country could not be found.'),
  PROPERTY_NOT_FOUND: rejected('A matching property could not be found.'),
  ACCOUNT_NOT_FOUND: rejected('A matching account could not be found.'),
  CALL_NOT_FOUND: rejected('A matching call could not be found.'),
  UNKNOWN_ROUTING_METHOD: rejected('A provided routing method is not known.'),
  UNKNOWN_RECORDING_OPTION: rejected('A provided recording option is not known.'),
  UNKNOWN_CAPABILITY: rejected('A provided capability is not known.'),
  UNKNOWN_DISPOSITION: rejected('A provided disposition is not known.'),
  UNKNOWN_NUMBERTYPE: rejected('A provided number type is not known.'),
  INVALID_PHONENUMBER_FORMAT: rejected('A provided number is not in the expected format (E.164).'),
  INVALID_COUNTRYCODE_FORMAT: rejected(
    'A provided country code is not in the expected format (ISO 3166-1).',
  ),
  CONFLICTING_PARAMETERS: {
    category: 'validation',
    effect: 'none',
    reason:
      'Not on this page: listed on www.fonedynamics.com/docs/rest-api/errors (description cut off there); parameters that exclude each other',
  },
});

/**
 * How Fone Dynamics' HTTP statuses differ from the generic rules, for responses without a known
 * ErrorCode (the page's status table; classification.csv rows "HTTP 400" to "HTTP 500").
 */
export const fonedynamicsStatuses: Readonly<Record<number, Omit<CodeRule, 'when'>>> = {
  400: {
    category: 'validation',
    effect: 'none',
    reason: '400 (page): "missing or invalid data"',
  },
  401: {
    category: 'auth',
    effect: 'none',
    refreshable: false,
    reason:
      '401 (page): "Wrong or missing credentials"; HTTP Basic AccountSid:Token is static, nothing to refresh',
  },
  403: {
    category: 'validation',
    effect: 'none',
    reason:
      '403 (page): "missing permissions or … would create an invalid state"; the ErrorCode FORBIDDEN picks auth, anything else is a state the request must change',
  },
  500: {
    category: 'retryable',
    effect: 'unknown',
    reason:
      '500 (page): it may have acted; retried only for idempotent methods (GET), since a repeated POST could buy a number twice or send an SMS twice',
  },
};
