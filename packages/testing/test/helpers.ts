import type { Classification, VendorProfile } from '@triage/core';
import { DEMO_ACCOUNTS } from '@triage/testing';

/** A response read whole, with what classification needs. */
export interface Received {
  status: number;
  headers: Headers;
  body: string;
}

export async function send(url: string, init: RequestInit = {}): Promise<Received> {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, body: await res.text() };
}

export function classify(
  profile: VendorProfile,
  received: Received,
  method = 'POST',
): Classification | undefined {
  return profile.classify({
    status: received.status,
    headers: received.headers,
    body: received.body,
    method,
  });
}

/** Every way a code appears in a table, with the reason of the rule it must classify as. */
export function tableEntries(profile: VendorProfile): { code: string; reasons: string[] }[] {
  return Object.entries(profile.codes).map(([code, rule]) => ({
    code,
    reasons: (Array.isArray(rule) ? rule : [rule]).map((r: { reason: string }) => r.reason),
  }));
}

// ---- Per-vendor request builders (the demo accounts) ----

export async function simplybookToken(url: string): Promise<string> {
  const { company, apiKey } = DEMO_ACCOUNTS.simplybook;
  const res = await send(`${url}/login`, rpc('getToken', [company, apiKey]));
  return (JSON.parse(res.body) as { result: string }).result;
}

export function rpc(
  method: string,
  params: unknown,
  headers: Record<string, string> = {},
  id: unknown = 1,
): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', method, params, id }),
  };
}

export function simplybookHeaders(token: string): Record<string, string> {
  return { 'X-Company-Login': DEMO_ACCOUNTS.simplybook.company, 'X-Token': token };
}

export const CO3_AUTH_BODY: string =
  `<?xml version="1.0" encoding="utf-8"?><command><authenticate>` +
  `<api_key>${DEMO_ACCOUNTS.co3.apiKey}</api_key><username>${DEMO_ACCOUNTS.co3.username}</username>` +
  `<password>${DEMO_ACCOUNTS.co3.passwordMd5}</password></authenticate></command>`;

export function xmlPost(body: string, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', ...headers },
    body,
  };
}

export async function co3Session(url: string): Promise<string> {
  const res = await send(`${url}/api/authenticate`, xmlPost(CO3_AUTH_BODY));
  const key = /<session_key><!\[CDATA\[(.*?)\]\]><\/session_key>/.exec(res.body)?.[1];
  if (key === undefined) throw new Error(`no session key in ${res.body}`);
  return key;
}

export function co3Command(method: string, sessionKey: string, inner = ''): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><command><${method}>` +
    `<api_key>${DEMO_ACCOUNTS.co3.apiKey}</api_key><session_key>${sessionKey}</session_key>` +
    `${inner}</${method}></command>`
  );
}

export function convioForm(params: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      v: '1.0',
      api_key: DEMO_ACCOUNTS.convio.apiKey,
      ...params,
    }).toString(),
  };
}

export async function voipnowToken(url: string): Promise<string> {
  const { clientId, clientSecret } = DEMO_ACCOUNTS.voipnow;
  const res = await send(`${url}/oauth/token.php`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      type: 'unifiedapi',
      client_id: clientId,
      client_secret: clientSecret,
    }).toString(),
  });
  return (JSON.parse(res.body) as { access_token: string }).access_token;
}

export function basicAuth(accountSid: string, token: string): string {
  return `Basic ${btoa(`${accountSid}:${token}`)}`;
}

export const FD_AUTH: string = basicAuth(
  DEMO_ACCOUNTS.fonedynamics.accountSid,
  DEMO_ACCOUNTS.fonedynamics.token,
);

export const FD_MESSAGES = `/v2/Properties/${DEMO_ACCOUNTS.fonedynamics.propertySid}/Messages`;

export function fdJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: FD_AUTH, ...headers },
    body: JSON.stringify(body),
  };
}
