import type { Category } from '../types/classification.ts';
import type { VendorRetryDefaults } from '../types/vendor.ts';

/** How the wait before each retry is spread. See AWS's "Exponential Backoff and Jitter". */
export type Jitter = 'full' | 'equal' | 'decorrelated' | 'none';

/** Retry limits for one category. */
export interface CategoryRetryOptions {
  /** Retries for failures of this category. */
  retries?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  jitter?: Jitter;
}

/**
 * How the engine retries. Shared by every adapter under `options.retry`.
 *
 * @example
 * ```ts
 * attachTriage(axios, { vendor: co3, retry: { retries: 5, maxElapsedMs: 30_000 } });
 * ```
 */
export interface RetryOptions {
  /**
   * Retries after the first attempt for retryable failures. An auth refresh retry does not count.
   * @default 3
   */
  retries?: number;
  /**
   * The first backoff step; later steps grow by `factor`.
   * @default 200
   */
  minDelayMs?: number;
  /**
   * No backoff wait is longer than this (a vendor minimum for a code may raise it).
   * @default 20000
   */
  maxDelayMs?: number;
  /**
   * Growth of the backoff step per retry.
   * @default 2
   */
  factor?: number;
  /**
   * How each wait is randomised, so that clients do not retry in lockstep.
   * @default 'full'
   */
  jitter?: Jitter;
  /**
   * A total deadline for the request, attempts and waits together. A wait that would pass it is
   * not started: the request fails at once with `retryAfterMs` set so the caller can reschedule.
   * @default Infinity
   */
  maxElapsedMs?: number;
  /**
   * A timeout for each attempt; a timed-out attempt is a retryable failure of unknown effect.
   * @default Infinity
   */
  attemptTimeoutMs?: number;
  /**
   * Wait at least as long as `Retry-After` (RFC 9110 §10.2.3, seconds or HTTP-date) asks.
   * @default true
   */
  respectRetryAfter?: boolean;
  /**
   * A longer `Retry-After` is not waited out: the request fails with `retryAfterMs` set.
   * @default 60000
   */
  maxRetryAfterMs?: number;
  /**
   * Limits per category. `validation` and `fatal` are not retried unless given `retries` here;
   * `auth.retries` is how many times a refresh may be followed by a retry.
   * @default { auth: { retries: 1 }, validation: { retries: 0 }, fatal: { retries: 0 } }
   * @example
   * ```ts
   * // Retry fatal failures of idempotent requests once, after at least a second.
   * retry: { categories: { fatal: { retries: 1, minDelayMs: 1000 } } }
   * ```
   */
  categories?: Partial<Record<Category, CategoryRetryOptions>>;
}

/** `retry` as users may write it: a number of retries, `false` for none, or the options. */
export type RetryInput = number | false | RetryOptions;

/** Retry options with every default filled in. */
export interface NormalizedRetry {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  factor: number;
  jitter: Jitter;
  maxElapsedMs: number;
  attemptTimeoutMs: number;
  respectRetryAfter: boolean;
  maxRetryAfterMs: number;
  categories: Record<Category, Required<CategoryRetryOptions>>;
}

/** The defaults, in one place. */
export const DEFAULT_RETRY: Readonly<Omit<NormalizedRetry, 'categories'>> = Object.freeze({
  retries: 3,
  minDelayMs: 200,
  maxDelayMs: 20_000,
  factor: 2,
  jitter: 'full',
  maxElapsedMs: Number.POSITIVE_INFINITY,
  attemptTimeoutMs: Number.POSITIVE_INFINITY,
  respectRetryAfter: true,
  maxRetryAfterMs: 60_000,
});

const DEFAULT_CATEGORY_RETRIES: Record<Category, number | undefined> = {
  retryable: undefined,
  auth: 1,
  validation: 0,
  fatal: 0,
};

function expand(input: RetryInput | undefined): RetryOptions {
  if (input === undefined) return {};
  if (input === false) return { retries: 0 };
  if (typeof input === 'number') return { retries: input };
  return input;
}

function nonNegative(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && !Number.isNaN(value) && value >= 0 ? value : fallback;
}

/**
 * Expands shorthands (`retry: 3`, `retry: false`) and fills defaults, layering the vendor's
 * defaults under the caller's options, then per-request options over both.
 */
export function normalizeRetry(
  vendor: VendorRetryDefaults | undefined,
  ...layers: (RetryInput | undefined)[]
): NormalizedRetry {
  const merged: RetryOptions = { ...vendor };
  const categories: Partial<Record<Category, CategoryRetryOptions>> = {};
  for (const layer of layers) {
    const options = expand(layer);
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined && key !== 'categories')
        (merged as Record<string, unknown>)[key] = value;
    }
    for (const [category, value] of Object.entries(options.categories ?? {})) {
      categories[category as Category] = { ...categories[category as Category], ...value };
    }
  }
  const top = {
    retries: Math.floor(nonNegative(merged.retries, DEFAULT_RETRY.retries)),
    minDelayMs: nonNegative(merged.minDelayMs, DEFAULT_RETRY.minDelayMs),
    maxDelayMs: nonNegative(merged.maxDelayMs, DEFAULT_RETRY.maxDelayMs),
    factor: Math.max(1, nonNegative(merged.factor, DEFAULT_RETRY.factor)),
    jitter: merged.jitter ?? DEFAULT_RETRY.jitter,
    maxElapsedMs: nonNegative(merged.maxElapsedMs, DEFAULT_RETRY.maxElapsedMs),
    attemptTimeoutMs: nonNegative(merged.attemptTimeoutMs, DEFAULT_RETRY.attemptTimeoutMs),
    respectRetryAfter: merged.respectRetryAfter ?? DEFAULT_RETRY.respectRetryAfter,
    maxRetryAfterMs: nonNegative(merged.maxRetryAfterMs, DEFAULT_RETRY.maxRetryAfterMs),
  };
  const perCategory = {} as Record<Category, Required<CategoryRetryOptions>>;
  for (const category of Object.keys(DEFAULT_CATEGORY_RETRIES) as Category[]) {
    const own = categories[category] ?? {};
    perCategory[category] = {
      retries: Math.floor(
        nonNegative(own.retries, DEFAULT_CATEGORY_RETRIES[category] ?? top.retries),
      ),
      minDelayMs: nonNegative(own.minDelayMs, top.minDelayMs),
      maxDelayMs: nonNegative(own.maxDelayMs, top.maxDelayMs),
      jitter: own.jitter ?? top.jitter,
    };
  }
  return { ...top, categories: perCategory };
}
