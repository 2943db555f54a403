import { DEMO_ACCOUNTS } from '@triage/testing';
import type { VendorCall } from './vendor-call.ts';

/**
 * `GET /v2/Accounts/{AccountSid}` with HTTP Basic credentials: a cheap idempotent read, so the
 * vendor's rate limit, not its service time, is what bounds the throughput.
 */
export function fonedynamicsAccountCall(baseUrl: string): VendorCall {
  const { accountSid, token } = DEMO_ACCOUNTS.fonedynamics;
  const basic = Buffer.from(`${accountSid}:${token}`).toString('base64');
  return {
    url: `${baseUrl}/v2/Accounts/${accountSid}`,
    method: 'GET',
    headers: { authorization: `Basic ${basic}`, accept: 'application/json' },
    body: () => undefined,
    // Fone Dynamics documents no throttling answer; the simulator sends a plain 429.
    isThrottle: (status) => status === 429,
    failure: (status) => (status >= 200 && status < 300 ? undefined : `HTTP ${status}`),
    errorsIn200: false,
  };
}
