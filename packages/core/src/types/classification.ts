/**
 * What a failure means for the caller, and so what the engine may do about it.
 *
 * - `retryable`: transient; the same request may succeed later (throttling, 5xx, network).
 * - `auth`: credentials were refused; new ones may help when `refreshable`.
 * - `validation`: the request itself is wrong; surface the field errors, never retry.
 * - `fatal`: nothing the client can do automatically; stop.
 */
export type Category = 'retryable' | 'auth' | 'validation' | 'fatal';

/**
 * Whether the failed call may have changed anything on the vendor's side.
 *
 * - `none`: the vendor guarantees nothing happened (throttle and validation rejections, every
 *   CO3 error, a connection that was refused before the request left).
 * - `unknown`: it may have taken effect (5xx, timeouts, resets after the request was sent).
 */
export type Effect = 'none' | 'unknown';

/** One field the vendor rejected. */
export interface FieldError {
  name: string;
  message?: string;
  code?: string;
}

/** Limits a vendor demands for retrying one code, carried on the classification. */
export interface CodeRetryPolicy {
  /** At most this many retries for this code, whatever the caller's `retries`. */
  retries?: number;
  /** Never retry this code sooner than this (CO3 code 8: 1 s). */
  minDelayMs?: number;
  /** Retry only idempotent requests, even when the effect is `none`. */
  idempotentOnly?: boolean;
}

/** The data every decision is made from. The engine never looks at the raw error. */
export interface Classification {
  /** The profile's name: `simplybook`, `co3`, …, or `http` for the generic profile. */
  vendor: string;
  category: Category;
  /** The vendor's own code as it appeared (number or string), or a network error code. */
  code?: string | number;
  /** The vendor's message, or a short description of the failure. */
  message: string;
  /** HTTP status, when there was a response. */
  status?: number;
  /** Field errors, for validation failures (empty otherwise). */
  fields: FieldError[];
  /** How long the vendor asked the caller to wait (Retry-After or a vendor field). */
  retryAfterMs?: number;
  effect: Effect;
  /** For `auth`: new credentials may fix it (expired token) versus denied (wrong key, banned). */
  refreshable?: boolean;
  /** This failure is the vendor shedding load (HTTP 429, CO3 code 8): limiters react to it. */
  throttle?: boolean;
  /** Why this code has this category: the vendor table's reason. */
  reason?: string;
  /** Vendor limits on retrying this code. */
  retry?: CodeRetryPolicy;
  /**
   * Where the failure came from: the vendor's response, the network, a timeout, or the limiter
   * itself (an open circuit: the attempt was never sent).
   */
  source: 'response' | 'network' | 'timeout' | 'limiter';
}
