import { defineVendor, type VendorProfile } from '@triage/core';
import { voipnowCodes } from './codes.ts';
import { detectVoipnowError } from './detect.ts';

/**
 * The 4PSA VoipNow UnifiedAPI profile: finds `{"error":{"code","message"}}` and classifies its
 * code; anything else falls back to the HTTP status.
 *
 * @example
 * ```ts
 * import { voipnow, voipnowAuth } from '@triage/vendors/voipnow';
 * const auth = voipnowAuth({
 *   tokenUrl: 'https://voipnow.example.com/oauth/token.php',
 *   clientId: process.env.VOIPNOW_APP_ID!,
 *   clientSecret: process.env.VOIPNOW_APP_SECRET!,
 * });
 * const options = { vendor: voipnow, auth };
 * ```
 */
export const voipnow: VendorProfile = defineVendor({
  name: 'voipnow',
  codes: voipnowCodes,
  detect: detectVoipnowError,
});
