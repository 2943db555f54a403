import { isTriageError } from '@triage/core';

/**
 * Credential values the conformance, fault and hardening suites send, each in the place a vendor
 * takes it. None may ever appear in what triage shows: an error's `message`, `toJSON()`,
 * `util.inspect()` or `String()`, nor any event. Every value is distinctive, so a hit is a leak,
 * never a coincidence.
 */
export const SECRETS = {
  /** `Authorization: Bearer …` (set by `auth.apply` or by the caller). */
  bearer: 'bearer-7f3a91c2e5d8',
  /** `Cookie: sid=…`. */
  cookie: 'cookie-5e2b8d14a9f0',
  /** SimplyBook's `X-Token`. */
  xToken: 'xtoken-9c41e7a02b6d',
  /** SimplyBook's `X-User-Token`. */
  xUserToken: 'xusertoken-3d8f2b65c1e7',
  /** Convio's `?api_key=…` in the query string. */
  queryApiKey: 'queryapikey-4b7e19d3a6c2',
  /** CO3's `<api_key>` in the XML body. */
  co3ApiKey: 'co3apikey-8a2f5c71d4e9',
  /** CO3's `<session_key>` in the XML body. */
  co3SessionKey: 'co3sessionkey-1e9d4b36f7a0',
  /** CO3's `<password>` (an MD5 in real life) in the XML body. */
  co3Password: 'co3password-6c3a8e02b5d1',
  /** `password` in a JSON body. */
  jsonPassword: 'jsonpassword-2f7b9d45e8c3',
  /** `token` in a JSON body. */
  jsonToken: 'jsontoken-5a1c8e93f2b7',
  /** `client_secret` in a JSON body (VoipNow's OAuth client). */
  clientSecret: 'clientsecret-9e4d2a17c6f8',
} as const;

/** The credential headers of every request the suites make. */
export function secretHeaders(): Record<string, string> {
  return {
    authorization: `Bearer ${SECRETS.bearer}`,
    cookie: `sid=${SECRETS.cookie}`,
    'x-token': SECRETS.xToken,
    'x-user-token': SECRETS.xUserToken,
  };
}

/** `url` with Convio's `api_key` query parameter added. */
export function withApiKey(url: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}api_key=${SECRETS.queryApiKey}`;
}

/** A CO3 command carrying the API key, a session key and the password, as CO3's samples do. */
export function co3SecretBody(command = '<getContacts/>'): string {
  return `<?xml version="1.0" encoding="utf-8"?><command><api_key><![CDATA[${SECRETS.co3ApiKey}]]></api_key><session_key><![CDATA[${SECRETS.co3SessionKey}]]></session_key><password>${SECRETS.co3Password}</password>${command}</command>`;
}

/** A JSON body with `password`, `token` and `client_secret` fields. */
export function jsonSecretBody(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    ...extra,
    password: SECRETS.jsonPassword,
    token: SECRETS.jsonToken,
    client_secret: SECRETS.clientSecret,
  });
}

type Inspect = (value: unknown, options: { depth: number }) => string;

// Node's util.inspect, found without an import so that the browser suite can share this file;
// Chromium has no util.inspect and renders errors and events without it.
const nodeUtil = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:util') as { inspect: Inspect } | undefined;

/** Every way a user may show a value, as text, each labelled with how it was made. */
export function renderings(value: unknown): [string, string][] {
  const out: [string, string][] = [];
  const add = (label: string, render: () => unknown): void => {
    try {
      out.push([label, String(render())]);
    } catch (error) {
      out.push([label, `<render threw ${String(error)}>`]);
    }
  };
  if (value instanceof Error) {
    add('message', () => value.message);
    add('String()', () => String(value));
  }
  if (!(value instanceof Error) || isTriageError(value)) {
    // JSON.stringify calls toJSON(): a VendorError's problem details. Events are plain data.
    add('JSON.stringify()', () => JSON.stringify(value));
    // The client's own errors (axios's, ky's) carry the request config by design and are the
    // caller's to show; triage's errors and events must be safe to inspect whole.
    if (nodeUtil !== undefined) add('util.inspect()', () => nodeUtil.inspect(value, { depth: 20 }));
  }
  return out;
}

/** What leaked where: one line per secret found in a rendering, empty when nothing leaked. */
export function findLeaks(value: unknown): string[] {
  const found: string[] = [];
  for (const [label, text] of renderings(value)) {
    for (const [name, secret] of Object.entries(SECRETS)) {
      const at = text.indexOf(secret);
      if (at !== -1) {
        found.push(`${name} in ${label}: …${text.slice(Math.max(0, at - 60), at + 40)}…`);
      }
    }
  }
  return found;
}

/** How much the scan has seen in this process, so a suite can show it scanned something. */
export const scanned: { errors: number; events: number } = { errors: 0, events: 0 };

/**
 * Fails when any error or event shows a credential. The conformance runner and the fault suite
 * call it with every error and event they observe.
 */
export function expectNoSecrets(observed: {
  errors?: readonly unknown[];
  events?: readonly unknown[];
}): void {
  const leaks: string[] = [];
  for (const error of observed.errors ?? []) {
    if (error === undefined) continue;
    scanned.errors++;
    leaks.push(...findLeaks(error));
  }
  for (const event of observed.events ?? []) {
    scanned.events++;
    leaks.push(...findLeaks(event));
  }
  if (leaks.length > 0) throw new Error(`credentials leaked:\n${leaks.join('\n')}`);
}
