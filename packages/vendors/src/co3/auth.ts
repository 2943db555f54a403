import { type AttemptRequest, type AuthHooks, redactUrl } from '@triage/core';
import { singleFlight } from '../shared/single-flight.ts';
import { buildXmlDocument } from '../xml/build-xml.ts';
import { parseXml } from '../xml/parse-xml.ts';
import { childOf, isDigits, isRecord, textOf } from '../xml/tree.ts';
import { Co3AuthError } from './errors.ts';
import { withSessionKey } from './session-key.ts';

/** The part of `fetch` the helper uses; `globalThis.fetch` and its polyfills fit. */
export type Co3Fetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string },
) => Promise<{ status: number; text(): Promise<string> }>;

/** Options of {@link co3Auth}. */
export interface Co3AuthOptions {
  /**
   * The account's API key (CO3: Users & Settings → Account settings → Account data).
   * @example apiKey: process.env.CO3_API_KEY
   */
  apiKey: string;
  /**
   * The CO3 user to act as; the session carries this user's rights.
   * @example username: 'api-user'
   */
  username: string;
  /**
   * The password already MD5-hashed (hex), as `/api/authenticate` wants it. Give either this, or
   * `password` with `md5`.
   * @example passwordMd5: process.env.CO3_PASSWORD_MD5
   */
  passwordMd5?: string;
  /**
   * The plain password, hashed with `md5` before it is sent. Needs `md5`.
   * @example password: process.env.CO3_PASSWORD
   */
  password?: string;
  /**
   * MD5 as hex, for `password`. Not built in: `node:crypto` does not exist in browsers and this
   * package carries no hash of its own.
   * @example md5: (text) => createHash('md5').update(text).digest('hex') // node:crypto
   */
  md5?: (text: string) => string;
  /**
   * Where to authenticate.
   * @default 'https://co3app.com/api/authenticate'
   * @example url: 'https://co3app.com/api/authenticate'
   */
  url?: string | URL;
  /**
   * The fetch to authenticate with.
   * @default globalThis.fetch
   * @example fetch: undiciFetch
   */
  fetch?: Co3Fetch;
  /**
   * Time source for the session's age.
   * @default { now: Date.now }
   * @example clock: { now: () => performance.timeOrigin + performance.now() }
   */
  clock?: { now(): number };
  /**
   * How long a session key lives: "valid for 5 minutes" (learn.co3app.com/hu/api/authentication).
   * @default 300_000
   * @example sessionLifetimeMs: 5 * 60_000
   */
  sessionLifetimeMs?: number;
  /**
   * Renew this long before the key expires, so a request never leaves with a key about to die.
   * @default 30_000
   * @example renewMarginMs: 60_000 // renew after 4 of the 5 minutes
   */
  renewMarginMs?: number;
}

/** CO3 session handling, ready to pass as triage's `auth`. */
export interface Co3Auth extends AuthHooks {
  /** Authenticates again. Concurrent calls share one request. */
  refresh(): Promise<void>;
  /**
   * Puts the session key into the request's XML body (authenticating first when there is no key
   * or it is about to expire). Throws a `Co3AuthError` when the body is not an XML document.
   */
  apply(request: AttemptRequest): Promise<void>;
}

const DEFAULT_URL = 'https://co3app.com/api/authenticate';
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function hashedPassword(options: Co3AuthOptions): string {
  const { password, passwordMd5, md5 } = options;
  if (passwordMd5 !== undefined && password !== undefined) {
    throw new TypeError('co3Auth: give either `password` or `passwordMd5`, not both');
  }
  if (passwordMd5 !== undefined) return passwordMd5;
  if (password === undefined) {
    throw new TypeError('co3Auth: `passwordMd5` (or `password` with `md5`) is required');
  }
  if (typeof md5 !== 'function') {
    throw new TypeError('co3Auth: `password` needs `md5`; or pass `passwordMd5` instead');
  }
  return md5(password);
}

/** Replaces every secret in a text taken from elsewhere (a vendor description, a cause). */
function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join('[REDACTED]');
  return result;
}

function mentionsSecret(value: unknown, secrets: readonly string[]): boolean {
  let text: string;
  try {
    text = value instanceof Error ? `${value.message} ${String(value.stack)}` : String(value);
  } catch {
    return true;
  }
  return secrets.some((secret) => text.includes(secret));
}

/**
 * The session key in an authenticate answer. The page only says "The response will be your
 * session key", so the usual shapes are accepted: a `<session_key>` under the root (or one level
 * deeper), a root element holding only the key, or the key as the whole body.
 */
function readSessionKey(text: string): string | undefined {
  const root = parseXml(text);
  if (root === undefined) {
    const bare = text.trim();
    const plain = bare !== '' && bare.length <= 256 && !bare.includes('<') && !/\s/.test(bare);
    return plain ? bare : undefined;
  }
  const direct = textOf(childOf(root.value, 'session_key'));
  if (direct) return direct;
  if (isRecord(root.value)) {
    for (const child of Object.values(root.value)) {
      const nested = textOf(childOf(child, 'session_key'));
      if (nested) return nested;
    }
  }
  const own = textOf(root.value);
  return own || undefined;
}

/** CO3's `<response><error><code/><description/></error></response>`, if the answer is one. */
function readError(text: string): { code: string; description: string } | undefined {
  const root = parseXml(text);
  if (root?.name !== 'response') return undefined;
  const error = childOf(root.value, 'error');
  const code = textOf(childOf(error, 'code'));
  if (code === undefined || !isDigits(code)) return undefined;
  return { code, description: textOf(childOf(error, 'description')) ?? '' };
}

/**
 * Gets and applies CO3 session keys: POSTs the API key, user name and MD5-hashed password to
 * `/api/authenticate` (XML, `Content-Type: text/xml; charset=utf-8`), keeps the key, puts it into
 * every request's XML body, and renews it before its 5 minutes are up. CO3 answers an expired key
 * with code 10 and an unknown one with code 6; both are refreshable, so triage calls `refresh()`
 * and sends the request again.
 *
 * Errors never include the API key, the password (plain or hashed) or a session key.
 *
 * @example
 * ```ts
 * import { createHash } from 'node:crypto';
 * import { co3, co3Auth } from '@triage/vendors/co3';
 * const auth = co3Auth({
 *   apiKey: process.env.CO3_API_KEY!,
 *   username: 'api-user',
 *   password: process.env.CO3_PASSWORD!,
 *   md5: (text) => createHash('md5').update(text).digest('hex'),
 * });
 * const options = { vendor: co3, auth };
 * ```
 */
export function co3Auth(options: Co3AuthOptions): Co3Auth {
  const hashed = hashedPassword(options);
  const url = String(options.url ?? DEFAULT_URL);
  const send: Co3Fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const clock = options.clock ?? { now: () => Date.now() };
  const lifetimeMs = options.sessionLifetimeMs ?? 300_000;
  const marginMs = options.renewMarginMs ?? 30_000;
  const secrets = [options.apiKey, hashed, options.password].filter(
    (secret): secret is string => typeof secret === 'string' && secret !== '',
  );

  let session: { key: string; obtainedAt: number } | undefined;

  const fail = (message: string, extra?: { code?: string; status?: number; cause?: unknown }) => {
    const allSecrets = session === undefined ? secrets : [...secrets, session.key];
    const details = { ...extra };
    // A cause that repeats a credential (a custom fetch echoing the body, say) is left out.
    if (details.cause !== undefined && mentionsSecret(details.cause, allSecrets)) {
      delete details.cause;
    }
    return new Co3AuthError(scrub(message, allSecrets), details);
  };

  async function authenticate(): Promise<void> {
    // Age is counted from before the request: the key cannot be older than that.
    const startedAt = clock.now();
    const body = buildXmlDocument({
      command: {
        authenticate: { api_key: options.apiKey, username: options.username, password: hashed },
      },
    });
    const where = redactUrl(url);
    let status: number;
    let text: string;
    try {
      const response = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body,
      });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      throw fail(`CO3 authenticate request to ${where} failed`, { cause });
    }
    const error = readError(text);
    if (error !== undefined) {
      const what = error.description === '' ? '' : ` (${error.description})`;
      throw fail(`CO3 authenticate refused with code ${error.code}${what}`, {
        code: error.code,
        status,
      });
    }
    const key = status >= 200 && status < 300 ? readSessionKey(text) : undefined;
    if (key === undefined) {
      throw fail(`CO3 authenticate at ${where} returned HTTP ${status} without a session key`, {
        status,
      });
    }
    session = { key, obtainedAt: startedAt };
  }

  const refresh = singleFlight(() =>
    authenticate().catch((error: unknown) => {
      session = undefined;
      throw error;
    }),
  );

  function stale(): boolean {
    return session === undefined || clock.now() - session.obtainedAt >= lifetimeMs - marginMs;
  }

  async function apply(request: AttemptRequest): Promise<void> {
    if (stale()) await refresh();
    const key = session?.key;
    if (key === undefined) throw fail('CO3 session key unavailable after authenticate');
    const body = request.body;
    if (body === undefined) throw fail('CO3 request has no XML body to carry the session key');
    const text = typeof body === 'string' ? body : decoder.decode(body);
    const updated = withSessionKey(text, key);
    if (updated === undefined) {
      throw fail('CO3 request body is not an XML document; the session key cannot be added');
    }
    request.body = typeof body === 'string' ? updated : encoder.encode(updated);
    // The body changed length: a length the caller set is wrong now; the client recomputes it.
    request.headers.delete('content-length');
  }

  return { refresh, apply };
}
