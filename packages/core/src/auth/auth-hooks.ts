/** The request as `auth.apply` sees it before each attempt; it may change headers, query or body. */
export interface AttemptRequest {
  method: string;
  url: URL;
  headers: Headers;
  body?: string | Uint8Array;
}

/**
 * How triage gets and applies credentials.
 *
 * @example
 * ```ts
 * let token = await login();
 * const auth: AuthHooks = {
 *   async refresh() { token = await login(); },
 *   apply(request) { request.headers.set('authorization', `Bearer ${token}`); },
 * };
 * ```
 */
export interface AuthHooks {
  /** Gets new credentials. Called once for all concurrent refreshable auth failures. */
  refresh(): Promise<void>;
  /** Puts the current credentials on a request. Runs before every attempt. */
  apply?(request: AttemptRequest): void | Promise<void>;
}
