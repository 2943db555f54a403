import type { CodeRule, CodeTable, Detection } from '@triage/core';
import { codeTable } from '../shared/code-table.ts';

// Every code on SimplyBook.me's "Errors handling" page (help.simplybook.me, revision of
// 15 May 2025, kept as vendor-docs/simplybook-errors.txt), its login API codes, and every
// simplybook row of classification.csv. "page" in a reason means that page.

/** The -32600 message that means the token was refused (page: "Access denied"). */
export const ACCESS_DENIED: RegExp = /^\s*access denied\b/i;

/** The -32600 message that means the company login is wrong (page: "Company does not exists"). */
export const COMPANY_NOT_FOUND: RegExp = /^\s*company does not exists?\b/i;

const messageMatches =
  (pattern: RegExp) =>
  (detected: Detection): boolean =>
    typeof detected.message === 'string' && pattern.test(detected.message);

const clientNotFound: CodeRule = {
  category: 'validation',
  effect: 'none',
  reason:
    '"Client with given id not found" (page lists it as -3264, almost certainly a typo for -32064; both are kept): the id does not exist',
};

/** SimplyBook.me JSON-RPC error codes → meaning. */
export const simplybookCodes: CodeTable = codeTable({
  '-32001': {
    category: 'fatal',
    effect: 'unknown',
    reason:
      '"Plugin is not activated" (page): a company feature is switched off; only an admin can turn it on',
  },
  '-32010': {
    category: 'validation',
    effect: 'none',
    reason: '"Some required params are missed" (page): the caller omitted params',
  },
  '-32011': {
    category: 'validation',
    effect: 'none',
    reason: '"Params is not array" (page): JSON-RPC params must be an array; a client bug',
  },
  '-32012': {
    category: 'validation',
    effect: 'none',
    reason: '"Sheduler id not found" (page, sic): the referenced id does not exist',
  },
  '-32020': {
    category: 'auth',
    effect: 'none',
    refreshable: false,
    reason:
      '"Sorry, you have no permissions to perform this action" (page): the token is valid but the user lacks the right; a new token has the same rights',
  },
  '-32030': {
    category: 'validation',
    effect: 'none',
    reason: '"Invalid promotion code" (page)',
  },
  '-32031': {
    category: 'validation',
    effect: 'none',
    reason: '"Promotion has expired" (page): a business rule, not transient',
  },
  '-32032': {
    category: 'validation',
    effect: 'none',
    reason:
      '"Promotion is not active yet" (page): a business rule; the caller may try later, never automatically',
  },
  '-32033': {
    category: 'validation',
    effect: 'none',
    reason: '"This promocode is not valid for selected service" (page)',
  },
  '-32034': {
    category: 'validation',
    effect: 'none',
    reason: '"Exceed max usage limit" (page): the promo quota is used up; not an API rate limit',
  },
  '-32035': {
    category: 'validation',
    effect: 'none',
    reason:
      '"Exceed max usage per customer limit" (page, with a stray "\'const"): the per-customer promo quota is used up',
  },
  '-32036': {
    category: 'validation',
    effect: 'none',
    reason: '"This promocode is not available for datetime range" (page)',
  },
  '-32051': {
    category: 'validation',
    effect: 'none',
    reason: '"Selected event id is not available" (page): pick another service',
  },
  '-32052': {
    category: 'validation',
    effect: 'none',
    reason: '"Selected unit id is not available" (page): pick another provider',
  },
  '-32053': {
    category: 'validation',
    effect: 'none',
    reason:
      '"Selected date start is not available" (page): possibly taken by a concurrent booking; re-query availability, never blind-retry',
  },
  '-32054': {
    category: 'validation',
    effect: 'none',
    reason:
      '"Selected time start is not available" (page): possibly a lost race; re-query availability, never blind-retry',
  },
  '-32055': {
    category: 'fatal',
    effect: 'unknown',
    // RESEARCH.md §6: the reservation may be partial (batch) or a lost race.
    retry: { retries: 0 },
    reason:
      '"One or more appointments couldn\'t be reserved" (page): some appointments may be booked; never repeat book(), reconcile with getBookings first',
  },
  '-32056': {
    category: 'validation',
    effect: 'none',
    reason: '"Booking is not allowed at this time" (page): the booking window rule',
  },
  '-32061': {
    category: 'validation',
    effect: 'none',
    reason: '"Client name value is wrong" (page)',
  },
  '-32062': {
    category: 'validation',
    effect: 'none',
    reason: '"Client email value is wrong" (page)',
  },
  '-32063': {
    category: 'validation',
    effect: 'none',
    reason: '"Client phone value is wrong" (page)',
  },
  '-32070': {
    category: 'validation',
    effect: 'none',
    reason: '"Additional field values are wrong" (page): intake-form values',
  },
  '-32080': {
    category: 'validation',
    effect: 'none',
    reason: '"Appointemnt couldn\'t be found" (page, sic): the booking id is unknown',
  },
  '-32085': {
    category: 'auth',
    effect: 'none',
    refreshable: false,
    reason:
      '"Signature error" (page): the request signature (secret key hash) is wrong; a new token does not fix it',
  },
  '-32090': {
    category: 'fatal',
    effect: 'unknown',
    reason:
      '"Confirmation with this key type is not available" (page): the company is not configured for it',
  },
  '-32095': {
    category: 'validation',
    effect: 'none',
    reason: '"Batch not found" (page): the batch id is unknown or expired',
  },
  '-32097': {
    category: 'validation',
    effect: 'none',
    reason: '"Unsupported payment system" (page): the company does not offer it',
  },
  '-32099': {
    category: 'fatal',
    effect: 'unknown',
    // RESEARCH.md §6: repeating a payment risks a double charge.
    retry: { retries: 0 },
    reason:
      '"Payment failed" (page): the outcome of the payment is not known; never retry automatically, reconcile',
  },
  '-32600': [
    {
      category: 'auth',
      effect: 'none',
      refreshable: true,
      when: messageMatches(ACCESS_DENIED),
      reason:
        '"Access denied" (page): the X-Token is missing or expired; get a new one with getToken once, then stop',
    },
    {
      category: 'auth',
      effect: 'none',
      refreshable: false,
      when: messageMatches(COMPANY_NOT_FOUND),
      reason:
        '"Company does not exists" (page): the X-Company-Login is wrong; a new token does not fix it',
    },
    {
      category: 'fatal',
      effect: 'none',
      reason:
        'Not in classification.csv: -32600 with neither message on the page is JSON-RPC 2.0 §5.1 "Invalid Request": the request object was not valid, so no method ran',
    },
  ],
  '-32601': {
    category: 'fatal',
    effect: 'none',
    reason:
      '"Method not found" (page): a wrong method name or endpoint (admin method sent to the public API); no method ran (JSON-RPC 2.0 §5.1)',
  },
  '-32602': {
    category: 'validation',
    effect: 'none',
    reason: '"Invalid params" (page): JSON-RPC invalid method parameters',
  },
  '-32603': {
    category: 'retryable',
    effect: 'unknown',
    retry: { retries: 2, idempotentOnly: true },
    reason:
      'Differs from classification.csv (fatal): "Internal error" (page) may have acted. Every JSON-RPC call is a POST, so it is retried only when the caller marks the request idempotent (read methods), at most twice (RESEARCH.md §6); book, confirm and payment calls are never retried',
  },
  '-3264': clientNotFound,
  '-32064': clientNotFound,
  '-33001': {
    category: 'auth',
    effect: 'none',
    refreshable: false,
    reason: '"Company does not exist" (page, login API): the company login is wrong',
  },
  '-33002': {
    category: 'auth',
    effect: 'none',
    refreshable: false,
    reason: '"Wrong API key" (page, login API)',
  },
  '-33003': {
    category: 'auth',
    effect: 'none',
    refreshable: false,
    reason: '"User with this login and password not found" (page, login API)',
  },
  '-33004': {
    category: 'auth',
    effect: 'none',
    refreshable: false,
    reason: '"User is blocked" (page, login API): needs a human',
  },
  '-33005': {
    category: 'auth',
    effect: 'none',
    refreshable: false,
    reason:
      '"You are not allowed to use this application when HIPAA Plugin is enabled" (page, login API): a policy block',
  },
});
