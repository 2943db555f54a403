import { defineVendor, type VendorProfile } from '@triage/core';
import { CONVIO_CODES, CONVIO_STATUSES } from './codes.ts';
import { detectConvio } from './detect.ts';

/**
 * Convio / Blackbaud Luminate Online client APIs. Errors are found in the body (JSON or XML,
 * behind HTTP 403, or 200 with `suppress_response_codes=true`); a 302 (a `redirect` parameter
 * was sent) is an unknown outcome; 405 means the request was not a POST.
 *
 * @example
 * ```ts
 * import { convio } from '@triage/vendors/convio';
 * convio.classify({ status: 403, body: '{"errorResponse":{"code":"2","message":"Incorrect API key."}}' });
 * // { vendor: 'convio', category: 'auth', refreshable: false, code: '2', … }
 * ```
 */
export const convio: VendorProfile = defineVendor({
  name: 'convio',
  codes: CONVIO_CODES,
  detect: detectConvio,
  statuses: CONVIO_STATUSES,
});
