import { DEMO_ACCOUNTS } from '@triage/testing';
import type { VendorCall } from './vendor-call.ts';

const XML = 'text/xml; charset=utf-8';
const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

/**
 * The hand-written check a user of a plain client writes for CO3: every error, whatever the HTTP
 * status, is `<response><error><code>N</code>…` (learn.co3app.com/hu/api/error-handling).
 */
export function co3ErrorCode(text: string): string | undefined {
  return /<error>\s*<code>\s*(\d+)\s*<\/code>/.exec(text)?.[1];
}

/**
 * Gets a session key from `/api/authenticate`, as every client does once before the clock starts:
 * the benchmark measures throttling, not logins.
 */
export async function openCo3Session(baseUrl: string): Promise<string> {
  const { apiKey, username, passwordMd5 } = DEMO_ACCOUNTS.co3;
  const response = await fetch(`${baseUrl}/api/authenticate`, {
    method: 'POST',
    headers: { 'content-type': XML },
    body:
      `${DECLARATION}<command><authenticate><api_key>${apiKey}</api_key>` +
      `<username>${username}</username><password>${passwordMd5}</password></authenticate></command>`,
  });
  const text = await response.text();
  const key = /<session_key>(?:<!\[CDATA\[)?([^<\]]+)/.exec(text)?.[1];
  if (key === undefined) throw new Error(`CO3 authenticate answered ${response.status}: ${text}`);
  return key;
}

/**
 * `setContact` of a new contact per request: a POST that writes, which CO3 refuses with code 8
 * (HTTP 429 in the simulator) when too many run at once, and which is safe to send again because a
 * CO3 error "saves nothing". Every client sends these exact bytes.
 */
export function co3SetContactCall(baseUrl: string, sessionKey: string): VendorCall {
  const { apiKey } = DEMO_ACCOUNTS.co3;
  return {
    url: `${baseUrl}/api/crm`,
    method: 'POST',
    headers: { 'content-type': XML },
    body: (index) =>
      `${DECLARATION}<command><setContact><api_key>${apiKey}</api_key>` +
      `<session_key>${sessionKey}</session_key>` +
      `<contact_lastname>Storm ${index}</contact_lastname></setContact></command>`,
    isThrottle: (status, text) => status === 429 || co3ErrorCode(text) === '8',
    failure(status, text) {
      const code = co3ErrorCode(text);
      if (code !== undefined) return `CO3 code ${code}`;
      if (status !== 200) return `HTTP ${status}`;
      return text.includes('<result>OK</result>') ? undefined : 'no <result>OK</result>';
    },
    errorsIn200: true,
  };
}
