import type { AuthHooks } from '../auth/auth-hooks.ts';
import type { LimitsOptions, RequestLimitsOptions } from '../limits/options.ts';
import type { RetryInput } from '../retry/options.ts';
import type { EventListener } from '../types/events.ts';
import type { Overrides, VendorProfile } from '../types/vendor.ts';
import type { Clock } from '../utils/clock.ts';

/**
 * The options every adapter takes: `attachTriage(axios, options)`, `withTriage(ky, options)`,
 * `createTriageFetch(options)`.
 *
 * @example
 * ```ts
 * import { co3 } from '@triage/vendors/co3';
 * const options: TriageOptions = {
 *   vendor: co3,
 *   retry: { retries: 5 },
 *   overrides: { 202: 'fatal' },
 *   onEvent: (event) => console.log(event.type, event.attempt),
 * };
 * ```
 */
export interface TriageOptions {
  /** A vendor profile, or several tried in order (the first is the fallback for generic rules). */
  vendor: VendorProfile | readonly VendorProfile[];
  /**
   * Retry options; a number is `{ retries }`, `false` is no retries.
   * @default { retries: 3, minDelayMs: 200, maxDelayMs: 20000, jitter: 'full' } over the vendor's defaults
   */
  retry?: RetryInput;
  /** Re-classify vendor codes: `{ 202: 'fatal' }` or `{ 8: { retry: { minDelayMs: 2000 } } }`. */
  overrides?: Overrides;
  /** Credential refresh and application. Without `refresh`, auth failures are not retried. */
  auth?: AuthHooks;
  /**
   * Recovery from throttling, per vendor account: adaptive concurrency, pacing, a retry budget
   * and a circuit breaker. `false` turns all of it off.
   * @default adaptive concurrency for a vendor with throttle codes, the profile's `rate`, a
   * retry budget of 500 tokens, a circuit breaker at 50% failures over 20 attempts in 10 s
   * @example
   * ```ts
   * limits: { account: 'tenant-42', concurrency: 'adaptive', rate: { requests: 2, perMs: 1000 } }
   * ```
   */
  limits?: LimitsOptions | false;
  /**
   * Typed events: `classified`, `retry`, `auth-refresh`, `give-up`, `recovered`, and the
   * limiters' `limit`, `rate`, `hold`, `wait`, `admitted`, `retry-budget`, `circuit`.
   */
  onEvent?: EventListener;
  /** Aborts every request made with these options, including a pending wait. */
  signal?: AbortSignal;
  /**
   * Time source for waits and deadlines.
   * @default systemClock (Date.now and setTimeout)
   */
  clock?: Clock;
  /**
   * How many bytes of a response body classification reads: a bounded prefix, so a large or
   * hostile body is never read whole for classification (the caller still gets all of it).
   * @default 262144
   */
  maxClassifyBytes?: number;
  /**
   * Randomness for jitter: a number in [0, 1).
   * @default Math.random
   */
  random?: () => number;
}

/** Per-request options, given through each client's own per-request config. */
export interface TriageRequestOptions {
  /** Retry options for this request, over the adapter's. `false` disables retries. */
  retry?: RetryInput;
  /** Treat this request as idempotent (or not), whatever its method. */
  idempotent?: boolean;
  /** The vendor account this request counts against, over the client's `limits.account`. */
  limits?: RequestLimitsOptions;
  /** Extra listener for this request's events. */
  onEvent?: EventListener;
}
