import {
  type AttemptRequest,
  type AuthHooks,
  createResponseView,
  REDACTED,
  TriageError,
} from '@triage/core';
import { singleFlight } from '../shared/single-flight.ts';
import { detectSimplybookError } from './detect.ts';

/** Options of {@link simplybookAuth}. */
export interface SimplybookAuthOptions {
  /** The company login: sent to getToken and as `X-Company-Login` on every request. */
  company: string;
  /** The API key of the company's API feature. Sent only to the login URL, never shown. */
  apiKey: string;
  /**
   * The login API's JSON-RPC endpoint (SimplyBook "Authentication" page).
   * @default 'https://user-api.simplybook.me/login'
   * @example 'https://user-api-v2.simplybook.it/login'
   */
  loginUrl?: string | URL;
  /**
   * The fetch that calls the login API.
   * @default globalThis.fetch
   * @example (input, init) => undiciFetch(input, { ...init, dispatcher: proxyAgent })
   */
  fetch?: typeof globalThis.fetch;
}

/** The hooks {@link simplybookAuth} returns; `apply` always sets both headers. */
export interface SimplybookAuth extends AuthHooks {
  refresh(): Promise<void>;
  apply(request: AttemptRequest): Promise<void>;
}

/** getToken failed. The message carries the vendor's code and message, never the API key. */
export class SimplybookAuthError extends TriageError {
  override name: 'SimplybookAuthError' = 'SimplybookAuthError';
  /** The login API's code (`-33002` "Wrong API key"), when it sent one. */
  readonly code: string | number | undefined;
  /** The HTTP status of the login response, when there was one. */
  readonly status: number | undefined;

  constructor(
    message: string,
    options: { code?: string | number; status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.status = options.status;
  }
}

const DEFAULT_LOGIN_URL = 'https://user-api.simplybook.me/login';

/**
 * Credentials for SimplyBook's public API: `refresh()` calls the login API's
 * `getToken(company, apiKey)` (JSON-RPC), `apply()` sets `X-Company-Login` and `X-Token`,
 * getting a first token if there is none yet. Concurrent refreshes share one getToken call.
 *
 * SimplyBook documents no token lifetime, so the token is renewed only when a call fails with
 * -32600 "Access denied" (classified auth, refreshable).
 *
 * @example
 * ```ts
 * const auth = simplybookAuth({ company: 'mycompany', apiKey: process.env.SIMPLYBOOK_KEY! });
 * const fetchWithTriage = createTriageFetch({ vendor: simplybook, auth });
 * ```
 */
export function simplybookAuth(options: SimplybookAuthOptions): SimplybookAuth {
  const { company, apiKey } = options;
  const loginUrl = String(options.loginUrl ?? DEFAULT_LOGIN_URL);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  let token: string | undefined;
  let nextId = 0;

  // The vendor's text is shown to the caller; make sure it cannot echo the key back.
  const redact = (text: string): string =>
    apiKey === '' ? text : text.split(apiKey).join(REDACTED);

  async function getToken(): Promise<string> {
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(loginUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          method: 'getToken',
          params: [company, apiKey],
          id: ++nextId,
        }),
      });
      text = await response.text();
    } catch (error) {
      throw new SimplybookAuthError('SimplyBook getToken request failed', { cause: error });
    }
    const status = response.status;
    const view = createResponseView({ status, headers: response.headers, body: text });
    const failure = detectSimplybookError(view);
    if (failure !== undefined) {
      const message = failure.message === undefined ? '' : ` ${redact(failure.message)}`;
      throw new SimplybookAuthError(`SimplyBook getToken failed: ${failure.code}${message}`, {
        code: failure.code,
        status,
      });
    }
    if (!response.ok) {
      throw new SimplybookAuthError(`SimplyBook getToken failed: HTTP ${status}`, { status });
    }
    const body = view.json();
    const result =
      typeof body === 'object' && body !== null ? (body as { result?: unknown }).result : undefined;
    if (typeof result !== 'string' || result === '') {
      throw new SimplybookAuthError('SimplyBook getToken returned no token', { status });
    }
    return result;
  }

  const renew = singleFlight(async () => {
    token = await getToken();
    return token;
  });

  return {
    async refresh() {
      await renew();
    },
    async apply(request) {
      const current = token ?? (await renew());
      request.headers.set('X-Company-Login', company);
      request.headers.set('X-Token', current);
    },
  };
}
