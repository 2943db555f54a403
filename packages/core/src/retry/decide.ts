import type { GiveUpReason } from '../errors/vendor-error.ts';
import type { Category, Classification } from '../types/classification.ts';
import { backoffDelay } from './backoff.ts';
import type { NormalizedRetry } from './options.ts';

/** What the engine knows about a request when it decides. */
export interface DecisionState {
  /** Retries already made, per category (for `auth`: refresh-and-retry rounds). */
  retries: Record<Category, number>;
  /** Retries already made for every category but `auth`. */
  totalRetries: number;
  idempotent: boolean;
  /** `true`, or why the request cannot be sent again. */
  replayable: true | string;
  /** `auth.refresh` is configured. */
  canRefresh: boolean;
  /** Milliseconds since the first attempt started. */
  elapsedMs: number;
  /** The previous wait (for decorrelated jitter); 0 before the first retry. */
  previousDelayMs: number;
}

/** The engine's next step. */
export type Decision =
  | { kind: 'retry'; delayMs: number; reason: 'backoff' | 'retry-after' }
  | { kind: 'refresh' }
  | { kind: 'fail'; reason: GiveUpReason; retryAfterMs?: number };

function fail(reason: GiveUpReason, retryAfterMs?: number): Decision {
  return retryAfterMs === undefined
    ? { kind: 'fail', reason }
    : { kind: 'fail', reason, retryAfterMs };
}

/**
 * The whole retry policy, as a pure function of the classification, the request's state and the
 * options. Safety first: a failure that may have taken effect is retried only when the request
 * is idempotent.
 */
export function decide(
  c: Classification,
  state: DecisionState,
  options: NormalizedRetry,
  random: () => number,
): Decision {
  const mayRepeat = c.effect === 'none' || state.idempotent;
  if (c.category === 'auth') {
    if (c.refreshable !== true || !state.canRefresh) return fail('auth-denied');
    if (state.retries.auth >= options.categories.auth.retries) return fail('auth-exhausted');
    if (state.replayable !== true) return fail('not-replayable');
    if (!mayRepeat) return fail('unsafe');
    return { kind: 'refresh' };
  }

  const own = options.categories[c.category];
  const limit = Math.min(own.retries, c.retry?.retries ?? Number.POSITIVE_INFINITY);
  if (limit <= 0 && c.category !== 'retryable') return fail('not-retryable');
  if (state.retries[c.category] >= limit || state.totalRetries >= options.retries)
    return fail('exhausted');
  if (!mayRepeat || (c.retry?.idempotentOnly === true && !state.idempotent)) return fail('unsafe');
  if (state.replayable !== true) return fail('not-replayable');

  const backoff = backoffDelay(
    {
      retry: state.retries[c.category] + 1,
      minDelayMs: own.minDelayMs,
      maxDelayMs: own.maxDelayMs,
      factor: options.factor,
      jitter: own.jitter,
      previousMs: state.previousDelayMs > 0 ? state.previousDelayMs : own.minDelayMs,
      floorMs: c.retry?.minDelayMs ?? 0,
    },
    random,
  );
  let delayMs = backoff;
  let reason: 'backoff' | 'retry-after' = 'backoff';
  if (options.respectRetryAfter && c.retryAfterMs !== undefined) {
    if (c.retryAfterMs > options.maxRetryAfterMs)
      return fail('retry-after-too-long', c.retryAfterMs);
    if (c.retryAfterMs >= backoff) {
      delayMs = c.retryAfterMs;
      reason = 'retry-after';
    }
  }
  if (state.elapsedMs + delayMs > options.maxElapsedMs) return fail('deadline', delayMs);
  return { kind: 'retry', delayMs, reason };
}
