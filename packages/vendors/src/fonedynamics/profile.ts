import { defineVendor, type VendorProfile } from '@triage/core';
import { fonedynamicsCodes, fonedynamicsStatuses } from './codes.ts';
import { detectFonedynamicsError } from './detect.ts';

/**
 * The Fone Dynamics REST v2 profile: finds `ResponseStatus.ErrorCode`, with field names from
 * `Errors[].FieldName`; a 401 is denied (static HTTP Basic credentials) and a 500 is retried only
 * for idempotent methods.
 *
 * @example
 * ```ts
 * import { fonedynamics } from '@triage/vendors/fonedynamics';
 * // Credentials are static: send `Authorization: Basic base64(AccountSid:Token)` yourself.
 * const options = { vendor: fonedynamics };
 * ```
 */
export const fonedynamics: VendorProfile = defineVendor({
  name: 'fonedynamics',
  codes: fonedynamicsCodes,
  statuses: fonedynamicsStatuses,
  detect: detectFonedynamicsError,
});
