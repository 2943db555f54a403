import { defineVendor, type VendorProfile } from '@triage/core';
import { CO3_CODES, CO3_EFFECT, CO3_RATE } from './codes.ts';
import { detectCo3 } from './detect.ts';

/**
 * CO3 (co3app.com): CRM, finance and stock over XML. Errors are found in the body whatever the
 * HTTP status; every error had no effect; code 8 is the documented rate limit.
 *
 * @example
 * ```ts
 * import { co3 } from '@triage/vendors/co3';
 * co3.classify({ status: 200, body: '<response><error><code>8</code></error></response>' });
 * // { vendor: 'co3', category: 'retryable', code: '8', throttle: true, effect: 'none', … }
 * ```
 */
export const co3: VendorProfile = defineVendor({
  name: 'co3',
  codes: CO3_CODES,
  detect: detectCo3,
  effect: CO3_EFFECT,
  rate: CO3_RATE,
});
