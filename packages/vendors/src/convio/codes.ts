import type { CodeRule, Detection } from '@triage/core';
import { codeTable } from '../shared/code-table.ts';

/** The `reason` of a donation error that is only the form's field validation. */
export const FIELD_VALIDATION = 'FIELD_VALIDATION';

/**
 * Convio / Luminate Online client API error codes, from "Status and Error Codes"
 * (open.convio.com/api/status-error-codes-client.html, "the page" below), plus the codes the newer
 * apidoc error_codes page adds (7, 8, 9, 50) and the 302 status as a code of its own. Every row of
 * the research table (`classification.csv`) is here; where this table decides differently, the
 * reason says so.
 *
 * Effects: a refused request (validation, auth, a missing method) did nothing; code 1 is an
 * internal exception, 101 a donation that may have been charged, 302 an unknown outcome.
 */
export const CONVIO_CODES: Readonly<Record<string, CodeRule | readonly CodeRule[]>> = codeTable({
  // Status 302, turned into a code by the detector: the status alone is not an error.
  '302': {
    category: 'fatal',
    effect: 'unknown',
    reason:
      'page: 302 "The invocation may have been successful or an error may have occurred" (a ' +
      'redirect parameter was sent); the outcome is unknown, do not repeat it',
  },

  // Generic error codes
  '1': {
    category: 'fatal',
    effect: 'unknown',
    reason:
      'page: "Generic error" (apidoc: an exception within the internals); it may have acted, so ' +
      'no automatic retry',
  },
  '2': {
    category: 'auth',
    refreshable: false,
    effect: 'none',
    reason: 'page: "Missing or incorrect API key"; api_key must match CONVIO_API_KEY',
  },
  '3': {
    category: 'auth',
    refreshable: true,
    effect: 'none',
    reason:
      'page: "Authentication or authorization failed"; refreshable because with a session or ' +
      'auth token a new one may fix it (research §3); triage refreshes only when auth hooks are ' +
      'given and only once, so a lasting permission denial stops after one refresh',
  },
  '4': {
    category: 'auth',
    refreshable: false,
    effect: 'none',
    reason: 'page: request from an IP address not allowed to call the method; needs an admin',
  },
  '5': {
    category: 'auth',
    refreshable: true,
    effect: 'none',
    reason:
      'page: method callable only from a trusted source (auth token missing or invalid); get a ' +
      'new token (getLoginUrl) and retry once',
  },
  '6': {
    category: 'fatal',
    effect: 'none',
    reason: 'page: "No method was specified in the request"; a client bug, nothing ran',
  },
  '10': {
    category: 'validation',
    effect: 'none',
    reason: 'page: "Required fields missing" (it does not say which)',
  },
  '405': {
    category: 'validation',
    effect: 'none',
    reason:
      'page: "Bad HTTP method. Requests must be made via the post HTTP method"; the request was ' +
      'refused as sent, so validation (classification.csv: fatal), and nothing ran',
  },

  // Constituent API error codes
  '11': {
    category: 'validation',
    effect: 'none',
    reason:
      'page: cannot add the user, a matching record exists; after a retried create the first ' +
      'attempt may have succeeded',
  },
  '12': {
    category: 'validation',
    effect: 'none',
    reason: 'page: a record with the same user name exists',
  },
  '13': {
    category: 'validation',
    effect: 'none',
    reason: 'page: a record with the same email exists and duplicates are not allowed',
  },
  '14': {
    category: 'auth',
    refreshable: false,
    effect: 'none',
    reason: 'page: "The requested method is not allowed by the caller"; a permission, stop',
  },
  '15': {
    category: 'validation',
    effect: 'none',
    reason: 'page: multiple records match the search criteria; send a cons_id',
  },
  '16': {
    category: 'validation',
    effect: 'none',
    reason: 'page: no records match the search criteria',
  },
  '17': {
    category: 'fatal',
    effect: 'none',
    reason: 'page: "No method was requested or the requested method does not exist"; a client bug',
  },
  '18': {
    category: 'validation',
    effect: 'none',
    reason: 'page: "The requested field was not found"',
  },
  '19': {
    category: 'retryable',
    effect: 'none',
    retry: { retries: 2 },
    reason:
      'page: "The members of a group could not be retrieved"; cause undocumented, but only a ' +
      'read returns it, so repeating is harmless (effect none, although Convio calls are POSTs); ' +
      'at most 2 retries',
  },

  // Donation API error codes
  '101': [
    {
      when: (detected: Detection) => detected.subcode === FIELD_VALIDATION,
      category: 'validation',
      effect: 'none',
      reason:
        'page: "The donation failed", reason FIELD_VALIDATION: the form refused fields before ' +
        'any payment was processed (Blackbaud community thread 40289)',
    },
    {
      category: 'fatal',
      effect: 'unknown',
      reason:
        'page: "The donation failed", for a reason other than FIELD_VALIDATION: a card may have ' +
        'been charged, never repeat it automatically',
    },
  ],
  '102': {
    category: 'validation',
    effect: 'none',
    reason: 'page: no donation form specified, or it does not exist, is unpublished or forbidden',
  },
  '103': {
    category: 'validation',
    effect: 'none',
    reason: 'page: no donation level specified, or it does not exist or is unpublished',
  },

  // Not on the page: the newer apidoc error_codes page (research §7)
  '7': {
    category: 'auth',
    refreshable: true,
    effect: 'none',
    reason: 'apidoc (not on the page): "Single SignOn failed"; get a new SSO token once',
  },
  '8': {
    category: 'validation',
    effect: 'none',
    reason: 'apidoc (not on the page): the request matched more than one constituent',
  },
  '9': {
    category: 'validation',
    effect: 'none',
    reason: 'apidoc (not on the page): one or more required parameters missing (page: code 10)',
  },
  '50': {
    category: 'validation',
    effect: 'none',
    reason: 'apidoc (not on the page): the specified list criteria are invalid',
  },
});

/**
 * How Convio's HTTP statuses differ from the generic ones, for responses whose body holds no
 * code (or an unknown one).
 */
export const CONVIO_STATUSES: Readonly<Record<number, Omit<CodeRule, 'when'>>> = {
  403: {
    category: 'fatal',
    effect: 'unknown',
    reason:
      'page: 403 "the request was received and understood but an error occurred", the code is ' +
      'in the body; without a readable one, what happened is unknown (a donation, say), so stop',
  },
  405: {
    category: 'validation',
    effect: 'none',
    reason:
      'page: 405 "the request was not sent using the post HTTP method"; refused as sent, so ' +
      'validation (classification.csv: fatal), and nothing ran',
  },
};
