import {
  type AttemptRequest,
  type AuthHooks,
  createResponseView,
  REDACTED,
  TriageError,
} from '@triage/core';
import { singleFlight } from '../shared/single-flight.ts';

/** Options of {@link voipnowAuth}. */
export interface VoipnowAuthOptions {
  /**
   * The OAuth 2.0 token endpoint of the VoipNow server.
   * @example 'https://voipnow.example.com/oauth/token.php'
   */
  tokenUrl: string | URL;
  /** The app's client id (App ID). Never shown in errors. */
  clientId: string;
  /** The app's client secret. Never shown in errors. */
  clientSecret: string;
  /**
   * The fetch that calls the token endpoint.
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Time source for token expiry, injectable for tests.
   * @default { now: Date.now }
   */
  clock?: { now(): number };
  /**
   * Renew a token this long before it expires, so no request leaves with a token about to
   * lapse. Capped at half the token's lifetime so a short-lived token is not renewed on every
   * request.
   * @default 300_000 (five minutes, as 4PSA's own mcp-voipnow does)
   */
  renewBeforeMs?: number;
}

/** The hooks {@link voipnowAuth} returns; `apply` renews the token when it is due. */
export interface VoipnowAuth extends AuthHooks {
  refresh(): Promise<void>;
  apply(request: AttemptRequest): Promise<void>;
}

/** The token request failed. The message carries the OAuth error, never the client credentials. */
export class VoipnowAuthError extends TriageError {
  override name: 'VoipnowAuthError' = 'VoipnowAuthError';
  /** The OAuth error code (`invalid_client`), when the endpoint sent one. */
  readonly code: string | undefined;
  /** The HTTP status of the token response, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, options: { code?: string; status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.status = options.status;
  }
}

/** The Obtain Authorization page: "The access token is valid for 1 hour". */
const DEFAULT_LIFETIME_S = 3600;

interface Token {
  value: string;
  /** When to renew: `renewBeforeMs` before expiry, or half-way for a short-lived token. */
  renewAt: number;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 6749 §5.2 `{error, error_description}`, or UnifiedAPI's `{error: {code, message}}`. */
function oauthError(body: unknown): { code: string; description?: string } | undefined {
  if (!isObject(body)) return undefined;
  const { error } = body;
  if (typeof error === 'string' && error !== '') {
    const description = body.error_description;
    return typeof description === 'string' ? { code: error, description } : { code: error };
  }
  if (isObject(error) && typeof error.code === 'string') {
    return typeof error.message === 'string'
      ? { code: error.code, description: error.message }
      : { code: error.code };
  }
  return undefined;
}

function lifetimeSeconds(value: unknown): number {
  const seconds = typeof value === 'string' ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? seconds
    : DEFAULT_LIFETIME_S;
}

/**
 * Credentials for VoipNow UnifiedAPI: an OAuth 2.0 `client_credentials` token (with
 * `type=unifiedapi`, as 4PSA's mcp-voipnow sends it) put on every request as
 * `Authorization: Bearer …`. `apply()` gets a token when there is none and renews it
 * `renewBeforeMs` before it expires; `refresh()` (after a 401 `expired_token`) gets a new one at
 * once. Concurrent renewals share one token request.
 *
 * @example
 * ```ts
 * const auth = voipnowAuth({
 *   tokenUrl: 'https://voipnow.example.com/oauth/token.php',
 *   clientId: process.env.VOIPNOW_APP_ID!,
 *   clientSecret: process.env.VOIPNOW_APP_SECRET!,
 * });
 * const fetchWithTriage = createTriageFetch({ vendor: voipnow, auth });
 * ```
 */
export function voipnowAuth(options: VoipnowAuthOptions): VoipnowAuth {
  const { clientId, clientSecret } = options;
  const tokenUrl = String(options.tokenUrl);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const clock = options.clock ?? { now: () => Date.now() };
  const renewBeforeMs = Math.max(0, options.renewBeforeMs ?? 300_000);
  let token: Token | undefined;

  // The endpoint's text is shown to the caller; make sure it cannot echo the credentials back.
  const redact = (text: string): string => {
    let safe = text;
    for (const secret of [clientSecret, clientId]) {
      if (secret !== '') safe = safe.split(secret).join(REDACTED);
    }
    return safe;
  };

  async function requestToken(): Promise<Token> {
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          type: 'unifiedapi',
          client_id: clientId,
          client_secret: clientSecret,
        }).toString(),
      });
      text = await response.text();
    } catch (error) {
      throw new VoipnowAuthError('VoipNow token request failed', { cause: error });
    }
    const status = response.status;
    const body = createResponseView({ status, headers: response.headers, body: text }).json();
    const failure = oauthError(body);
    if (failure !== undefined) {
      const detail = failure.description === undefined ? '' : ` (${redact(failure.description)})`;
      const code = redact(failure.code);
      throw new VoipnowAuthError(`VoipNow token request failed: HTTP ${status} ${code}${detail}`, {
        code,
        status,
      });
    }
    if (!response.ok) {
      throw new VoipnowAuthError(`VoipNow token request failed: HTTP ${status}`, { status });
    }
    const accessToken = isObject(body) ? body.access_token : undefined;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new VoipnowAuthError('VoipNow token response has no access_token', { status });
    }
    const lifetimeMs = lifetimeSeconds(isObject(body) ? body.expires_in : undefined) * 1000;
    const now = clock.now();
    return {
      value: accessToken,
      renewAt: now + lifetimeMs - Math.min(renewBeforeMs, lifetimeMs / 2),
    };
  }

  const renew = singleFlight(async () => {
    token = await requestToken();
    return token;
  });

  return {
    async refresh() {
      await renew();
    },
    async apply(request) {
      const current = token !== undefined && clock.now() < token.renewAt ? token : await renew();
      request.headers.set('authorization', `Bearer ${current.value}`);
    },
  };
}
