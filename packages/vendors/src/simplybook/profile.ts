import { defineVendor, type VendorProfile } from '@triage/core';
import { simplybookCodes } from './codes.ts';
import { detectSimplybookError } from './detect.ts';

/**
 * The SimplyBook.me JSON-RPC API profile: finds the JSON-RPC `error` member on any status and
 * classifies its code (-32600 by message).
 *
 * @example
 * ```ts
 * import { simplybook, simplybookAuth } from '@triage/vendors/simplybook';
 * const auth = simplybookAuth({ company: 'mycompany', apiKey: process.env.SIMPLYBOOK_KEY! });
 * const options = { vendor: simplybook, auth };
 * ```
 */
export const simplybook: VendorProfile = defineVendor({
  name: 'simplybook',
  codes: simplybookCodes,
  detect: detectSimplybookError,
});
