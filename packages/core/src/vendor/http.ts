import type { VendorProfile } from '../types/vendor.ts';
import { defineVendor } from './define-vendor.ts';

/**
 * The generic profile for any HTTP API: classification by status (RFC 9110) and by network error
 * code. Every vendor profile falls back to these rules for what its table does not cover.
 */
export const http: VendorProfile = defineVendor({ name: 'http' });
