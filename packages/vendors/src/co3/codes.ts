import type { CodeRule, Effect, RateSpec } from '@triage/core';
import { codeTable } from '../shared/code-table.ts';

/**
 * CO3's error codes, from its error-handling page (learn.co3app.com/hu/api/error-handling,
 * "API error codes") and the research table (`classification.csv`, which has one row for every
 * code on that page). Reasons quote the page's message; where this table decides differently from
 * the research table, the reason says so.
 *
 * Every CO3 error leaves nothing behind: "If error occured the API operation was not do
 * anything… No data will be saved" (same page), hence {@link CO3_EFFECT} for every row.
 */
export const CO3_CODES: Readonly<Record<string, CodeRule>> = codeTable({
  // Authentication and general errors
  '1': {
    category: 'validation',
    reason: 'page: "Missing XML"; the body was empty, fix the client',
  },
  '2': { category: 'validation', reason: 'page: "XML syntax error"; the body was malformed' },
  '3': { category: 'fatal', reason: 'page: "Invalid command"; unknown method, a client bug' },
  '4': { category: 'validation', reason: 'page: "Missing parameter"; a required node is missing' },
  '5': {
    category: 'auth',
    refreshable: false,
    reason: 'page: "Invalid API key"; authenticating again with the same key cannot help',
  },
  '6': {
    category: 'auth',
    refreshable: true,
    reason: 'page: "Invalid session key"; get a new key from /api/authenticate once, then stop',
  },
  '7': {
    category: 'auth',
    refreshable: false,
    reason: 'page: "Authentication error"; username or MD5 password refused at authenticate',
  },
  '8': {
    category: 'retryable',
    throttle: true,
    retry: { minDelayMs: 1000 },
    reason:
      'page: "Too many requests in the same time. Please try later!"; the overview page allows 2 ' +
      'requests per second per IP and account, so wait at least 1 s; nothing was saved',
  },
  '9': {
    category: 'auth',
    refreshable: false,
    reason: 'page: "Banned IP address"; needs a human, retrying may prolong the ban',
  },
  '10': {
    category: 'auth',
    refreshable: true,
    reason:
      'page: "Your session key is expired. Please authenticate again!"; keys live 5 minutes ' +
      '(authentication page)',
  },
  '11': {
    category: 'fatal',
    reason: 'page: "Your protocol of request is not HTTPS"; configuration, use https://co3app.com',
  },
  '12': { category: 'validation', reason: 'page: "Date format error in field"' },
  '13': { category: 'validation', reason: 'page: "Integer format error in field"' },
  '14': { category: 'validation', reason: 'page: "Numeric format error in field"' },
  '15': { category: 'validation', reason: 'page: "The following field must not be 0:"' },
  '16': { category: 'validation', reason: 'page: "The following field must be 0 or bigger:"' },
  '17': {
    category: 'validation',
    reason: 'page: "The following field must be minimum 0 and maximum 100:"',
  },
  '18': {
    category: 'auth',
    refreshable: false,
    reason:
      'page: "Standard permission error"; the session carries its user\'s rights, a new key for ' +
      'the same user has the same rights',
  },
  '19': { category: 'validation', reason: 'page: "The following field must contain only numbers"' },
  '20': { category: 'validation', reason: 'page: "Invalid VAT"' },
  '21': {
    category: 'validation',
    reason: 'page: "Invalid currency! The valid currencies are:"',
  },
  '22': { category: 'validation', reason: 'page: "Invalid e-mail address"' },
  '23': { category: 'validation', reason: 'page: "The following field must be 0 or 1"' },
  '24': {
    category: 'fatal',
    reason: 'page: "Your account is under trial period."; needs a subscription change',
  },

  // CRM
  '201': {
    category: 'validation',
    reason:
      'page: "Permission problem or non-existing contact with the given id"; either way the same ' +
      'request fails again',
  },
  '202': {
    category: 'retryable',
    retry: { retries: 2 },
    reason:
      'page: "Database query error"; may be transient or deterministic, and nothing was saved, so ' +
      'at most 2 retries (research §6)',
  },
  '203': {
    category: 'validation',
    reason: 'page: "Bad contact_owner field! The following user not exists"',
  },
  '204': {
    category: 'validation',
    reason: 'page: "Invalid contact_categories! The correct categories are:"',
  },
  '205': {
    category: 'fatal',
    reason: 'page: "You have reached the maximum number of contacts in your plan."; plan upgrade',
  },
  '206': {
    category: 'validation',
    reason:
      'page: "contact_lastname, contact_firstname or contact_firm nodes could not be empty in ' +
      'case of a new contact."',
  },

  // Finance
  '301': { category: 'validation', reason: 'page: "Non-existing invoice with the given id"' },
  '302': { category: 'validation', reason: 'page: "Error in crdr field"; not a valid value' },
  '303': { category: 'validation', reason: 'page: "Error in method field"; not a valid value' },
  '304': {
    category: 'validation',
    reason: 'page: "Non-existing bank account with the given value"',
  },
  '305': {
    category: 'validation',
    reason:
      'page: "The issue date of invoice must bigger or equal than the issue date of the last ' +
      'invoice."; resending the same date fails again',
  },
  '306': {
    category: 'validation',
    reason: 'page: "The payment date of invoice must bigger or equal than the issue date."',
  },
  '307': {
    category: 'validation',
    reason: 'page: "Invalid storno_id! Non-existing invoice or corrective invoice"',
  },
  '308': { category: 'validation', reason: 'page: "Invalid language:"' },
  '309': {
    category: 'validation',
    reason:
      'page: "The following invoice has already paid:"; after a timed-out payment call it means ' +
      'the earlier attempt succeeded (research §6)',
  },
  '310': {
    category: 'validation',
    reason:
      'page: "The sum of the balance and amount is bigger than the total amount of the ' +
      'invoice."; may mean a payment was already recorded (research §6)',
  },
  '311': { category: 'validation', reason: 'page: "Invalid currency:"' },
  '312': {
    category: 'validation',
    reason: 'page: "Customer VAT type can be DOMESTIC, PIVATE_PERSON OR OTHER." (vendor\'s typo)',
  },
  '313': { category: 'validation', reason: 'page: "Unknown file ID"' },

  // Product
  '401': { category: 'validation', reason: 'page: "Non-existing product with the given id"' },
  '402': { category: 'validation', reason: 'page: "Non-existing warehouse"' },
  '403': {
    category: 'validation',
    reason: 'page: "There isn\'t enough quantity in the selected warehouse to remove stock"',
  },
  '404': {
    category: 'validation',
    reason: 'page: "The type of product must be 1 (normal) or 3 (voucher)"',
  },
  '405': {
    category: 'validation',
    reason: 'page: "Non-existing product in field collective_product with the given id"',
  },
  '406': {
    category: 'validation',
    reason: 'page: "The product id is equal to one of it\'s part product id in collective_product"',
  },
  '407': { category: 'validation', reason: 'page: "Invalid shipping type:"' },
  '408': { category: 'validation', reason: 'page: "Non-existing delivery with the given id"' },
  '409': { category: 'validation', reason: 'page: "Invalid product price currency:"' },
  '410': { category: 'validation', reason: 'page: "Invalid takein currency:"' },
  '411': {
    category: 'validation',
    reason: 'page: "Too many products in the query:"; a request size limit, not a rate limit',
  },
  '412': {
    category: 'fatal',
    reason: 'page: "No purchase order extension."; the account lacks the extension',
  },
  '413': { category: 'validation', reason: 'page: "No PO connected to the given project code:"' },
  '414': {
    category: 'validation',
    reason:
      'page: "Not existing PO with this ID or the status of the PO is not waiting for take in"',
  },
  '415': {
    category: 'validation',
    reason: 'page: "All fields must be filled in if you give address to the warehouse."',
  },
  '416': {
    category: 'validation',
    reason:
      'page: "This warehouse name is already exists."; after a retried create, the first attempt ' +
      'may have succeeded',
  },
});

/** The effect of every CO3 error: the error page guarantees that nothing was saved. */
export const CO3_EFFECT: Effect = 'none';

/**
 * CO3's documented rate: "2 requests per 1 second period from the same IP address for the same
 * account" (learn.co3app.com/en/api/overview, "Rate limiting").
 */
export const CO3_RATE: RateSpec = { requests: 2, perMs: 1000 };

/**
 * Codes whose description ends in the name of the offending field ("The following field must not
 * be 0: price"), so the detector can report it.
 */
export const CO3_FIELD_CODES: ReadonlySet<string> = new Set([
  '12',
  '13',
  '14',
  '15',
  '16',
  '17',
  '19',
  '23',
]);
