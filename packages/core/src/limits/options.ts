import type { Classification } from '../types/classification.ts';
import type { CodeRule, RateSpec, VendorProfile } from '../types/vendor.ts';
import { type BreakerConfig, isBreakerFailure } from './circuit-breaker.ts';
import type { ConcurrencyConfig } from './concurrency-limiter.ts';
import type { PaceConfig } from './rate-pacer.ts';
import type { BudgetConfig } from './retry-budget.ts';
import type { StateStore } from './state-store.ts';

/**
 * Tuning of `concurrency: 'adaptive'`.
 *
 * @example
 * ```ts
 * // A vendor known to take about 50 at once: start near it, probe every 30 s.
 * limits: { adaptive: { initial: 40, probeIntervalMs: 30_000 } }
 * ```
 */
export interface AdaptiveConcurrencyOptions {
  /**
   * The first limit, from which slow start grows (TCP's initial window, RFC 6928).
   * @default 10
   */
  initial?: number;
  /**
   * The limit never goes below this.
   * @default 1
   */
  min?: number;
  /**
   * The limit never goes above this.
   * @default 1000
   */
  max?: number;
  /**
   * After a throttle, the limit is probed one higher at most this often: each rejected probe costs
   * a request the vendor's retry wait, so probes must be rare.
   * @default 10000
   */
  probeIntervalMs?: number;
  /**
   * Latency counts as queueing (no growth; slow start ends) when its short-term average exceeds
   * the long-term one by this factor.
   * @default 2
   */
  latencyTolerance?: number;
}

/**
 * The retry budget: a token bucket that successes fill and retries drain (AWS retry quota).
 *
 * @example
 * ```ts
 * // Close to gRPC's retry throttling (A6): 10 tokens, 1 per retry, 0.1 per success.
 * limits: { budget: { capacity: 10, retryCost: 1, timeoutCost: 1, successRefill: 0.1 } }
 * ```
 */
export interface RetryBudgetOptions {
  /**
   * Tokens when full.
   * @default 500
   */
  capacity?: number;
  /**
   * Tokens a retry takes.
   * @default 5
   */
  retryCost?: number;
  /**
   * Tokens a retry after a timeout takes.
   * @default 10
   */
  timeoutCost?: number;
  /**
   * Tokens a success without retries gives back (a success after retries gives back its cost).
   * @default 1
   */
  successRefill?: number;
}

/**
 * The circuit breaker for sustained vendor failures.
 *
 * @example
 * ```ts
 * // Open after 10 failed attempts in a minute, and count only 5xx.
 * limits: {
 *   breaker: { windowMs: 60_000, minimumRequests: 10, failureRatio: 1, isFailure: (c) => (c.status ?? 0) >= 500 },
 * }
 * ```
 */
export interface CircuitBreakerOptions {
  /**
   * Failures are counted over a sliding window this long.
   * @default 10000
   */
  windowMs?: number;
  /**
   * The circuit never opens on fewer attempts than this in the window.
   * @default 20
   */
  minimumRequests?: number;
  /**
   * The circuit opens when this share of the window's attempts failed.
   * @default 0.5
   */
  failureRatio?: number;
  /**
   * How long it stays open before a probe; doubled after each failed probe.
   * @default 10000
   */
  openMs?: number;
  /**
   * The longest open period.
   * @default 120000
   */
  maxOpenMs?: number;
  /**
   * A probe that has not answered after this long lets another request probe.
   * @default 30000
   */
  probeTimeoutMs?: number;
  /**
   * Which failures count against the vendor's health.
   * @default isBreakerFailure: 5xx, network and timeout failures, fatal failures of unknown effect
   */
  isFailure?: (classification: Classification) => boolean;
}

/**
 * Recovery from throttling, per vendor account: adaptive concurrency, pacing, a retry budget and
 * a circuit breaker. Everything is on by default where the vendor profile says it helps;
 * `limits: false` turns all of it off.
 *
 * @example
 * ```ts
 * createTriageFetch({
 *   vendor: co3,
 *   limits: { account: 'acme-ltd', concurrency: 'adaptive', rate: { requests: 2, perMs: 1000 } },
 * });
 * ```
 */
export interface LimitsOptions {
  /**
   * How many requests of one account may be in flight: `'adaptive'` learns it from throttles and
   * latency, a number fixes it, `false` does not limit. Requests over the limit wait in a FIFO
   * queue (abortable, bounded by the deadline) instead of being sent to be rejected.
   * @default 'adaptive' when the vendor's code table has a throttle code (CO3 code 8), else false
   */
  concurrency?: 'adaptive' | number | false;
  /** Tuning of the adaptive limit. */
  adaptive?: AdaptiveConcurrencyOptions;
  /**
   * Never more than `requests` starts in any `perMs` window per account.
   *
   * `'adaptive'` discovers the rate from throttles that say nothing else (a bare 429: no
   * `Retry-After`, no `RateLimit` headers): the first one holds the account until what got through
   * in the last second has left the window (a second at most) and paces it at 95% of that; every
   * further one (not within a second of the last decrease) sets it to 95% of what got through (at
   * most the rate, at least 80% of it); each second the rate is waited for without a throttle
   * adds 5%, 10%, 20%, then 40% in a row. Every client of the `store` shares the one rate. See
   * `docs/limits.md`, "Rate discovery".
   *
   * `false` paces by no rate (a `Retry-After` or an exhausted `RateLimit` still holds the
   * account). Rates the vendor advertises in headers are paced by too, unless `false`.
   * @default the vendor profile's `rate` (CO3: `{ requests: 2, perMs: 1000 }`), else `'adaptive'`
   * @example
   * ```ts
   * limits: { rate: { requests: 100, perMs: 60_000 } }
   * ```
   */
  rate?: RateSpec | 'adaptive' | false;
  /**
   * How late a start may reach the vendor after it was sent, as a fraction of the rate's window
   * (of the shortest, with several): the vendor counts arrivals, which a new connection, a busy
   * event loop or the network delay. It costs throughput only while answers take longer than
   * that: a start answered sooner is counted from its answer, which proves the arrival.
   * @default 0.05 (50 ms per second of window)
   * @example
   * ```ts
   * // A vendor far away, whose first requests open TLS connections: allow 200 ms in 1 s.
   * limits: { rate: { requests: 10, perMs: 1000 }, rateMargin: 0.2 }
   * ```
   */
  rateMargin?: number;
  /**
   * Names whose limits these requests share: the vendor's limits apply per account (CO3: "per
   * IP address per account"). Not secret: it appears in events.
   * @default the request URL's origin (`https://co3app.com`)
   */
  account?: string;
  /**
   * Learn from `RateLimit-Policy`, `RateLimit` and `X-RateLimit-*` response headers
   * (draft-ietf-httpapi-ratelimit-headers): advertised rates are paced by, and an exhausted
   * quota holds the account until its reset.
   * @default true
   */
  headers?: boolean;
  /**
   * The longest hold of an account on a throttle's `Retry-After` or an exhausted `RateLimit`.
   * @default 60000
   */
  maxHoldMs?: number;
  /**
   * The retry budget, or `false` for none. The auth refresh retry never uses it.
   * @default { capacity: 500, retryCost: 5, timeoutCost: 10, successRefill: 1 }
   */
  budget?: RetryBudgetOptions | false;
  /**
   * The circuit breaker, or `false` for none.
   * @default { windowMs: 10000, minimumRequests: 20, failureRatio: 0.5, openMs: 10000 }
   */
  breaker?: CircuitBreakerOptions | false;
  /**
   * Where the state lives. Pass one store to several clients to share limits between them; a
   * shared store (Redis) shares them between processes.
   * @default a new in-memory store per client
   */
  store?: StateStore;
  /**
   * An account idle this long is forgotten: its learned limits start over.
   * @default 600000
   */
  stateTtlMs?: number;
  /**
   * How often a queued request asks a shared store again when no request of this client holds a
   * slot that could wake it. The first asks of a wait come sooner (5, 15, 35 and 75 ms into it),
   * so that a slot another process gives back for this one's fair share is found at once.
   * @default 50
   * @example
   * ```ts
   * createTriageFetch({ vendor: co3, limits: { store: redisStore, pollMs: 100 } });
   * ```
   */
  pollMs?: number;
}

/** Per-request limit options. */
export interface RequestLimitsOptions {
  /**
   * The account this request counts against, over the client's `limits.account` (one client for
   * many vendor accounts).
   */
  account?: string;
}

/** The limits with every default filled in. */
export interface NormalizedLimits {
  /** The vendor whose limits these are (the first profile). */
  vendor: string;
  /** An explicit account; otherwise the request's origin. */
  account: string | undefined;
  concurrency: ConcurrencyConfig | undefined;
  pace: PaceConfig;
  headers: boolean;
  /** Pace by rates the vendor advertises (`RateLimit-Policy`): off with `rate: false`. */
  learnRates: boolean;
  /** Discover a rate from throttles that say nothing else (`rate: 'adaptive'`). */
  discoverRate: boolean;
  maxHoldMs: number;
  budget: BudgetConfig | undefined;
  breaker: (BreakerConfig & { isFailure: (c: Classification) => boolean }) | undefined;
  store: StateStore | undefined;
  pollMs: number;
}

/** The defaults, in one place. */
export const DEFAULT_LIMITS: {
  readonly adaptive: Readonly<Required<AdaptiveConcurrencyOptions>>;
  readonly rateMargin: number;
  readonly headers: boolean;
  readonly maxHoldMs: number;
  readonly budget: Readonly<Required<RetryBudgetOptions>>;
  readonly breaker: Readonly<Required<Omit<CircuitBreakerOptions, 'isFailure'>>>;
  readonly stateTtlMs: number;
  readonly pollMs: number;
} = Object.freeze({
  adaptive: Object.freeze({
    initial: 10,
    min: 1,
    max: 1000,
    probeIntervalMs: 10_000,
    latencyTolerance: 2,
  }),
  rateMargin: 0.05,
  headers: true,
  maxHoldMs: 60_000,
  budget: Object.freeze({ capacity: 500, retryCost: 5, timeoutCost: 10, successRefill: 1 }),
  breaker: Object.freeze({
    windowMs: 10_000,
    minimumRequests: 20,
    failureRatio: 0.5,
    openMs: 10_000,
    maxOpenMs: 120_000,
    probeTimeoutMs: 30_000,
  }),
  stateTtlMs: 600_000,
  pollMs: 50,
});

function num(value: number | undefined, fallback: number, min = 0): number {
  return typeof value === 'number' && !Number.isNaN(value) && value >= min ? value : fallback;
}

function validRate(rate: RateSpec | undefined): rate is RateSpec {
  return (
    rate !== undefined &&
    Number.isFinite(rate.requests) &&
    rate.requests >= 1 &&
    Number.isFinite(rate.perMs) &&
    rate.perMs > 0
  );
}

/** True when the profile's code table has a row (or variant) marked `throttle: true`. */
export function hasThrottleCodes(profile: VendorProfile): boolean {
  for (const entry of Object.values(profile.codes)) {
    const rows: readonly CodeRule[] = Array.isArray(entry) ? entry : [entry as CodeRule];
    if (rows.some((row) => row.throttle === true)) return true;
  }
  return false;
}

/**
 * Expands `limits` over the vendor profile's defaults: adaptive concurrency when the profile has
 * throttle codes, the profile's documented rate. `false` turns every limit off (`undefined`).
 */
export function normalizeLimits(
  profile: VendorProfile,
  input: LimitsOptions | false | undefined,
): NormalizedLimits | undefined {
  if (input === false) return undefined;
  const options = input ?? {};
  const ttlMs = num(options.stateTtlMs, DEFAULT_LIMITS.stateTtlMs, 1);
  const mode = options.concurrency ?? (hasThrottleCodes(profile) ? 'adaptive' : false);
  let concurrency: ConcurrencyConfig | undefined;
  if (mode === 'adaptive') {
    const a = options.adaptive ?? {};
    const d = DEFAULT_LIMITS.adaptive;
    const min = Math.floor(num(a.min, d.min, 1));
    const max = Math.max(min, Math.floor(num(a.max, d.max, 1)));
    concurrency = {
      adaptive: true,
      initial: Math.min(max, Math.max(min, Math.floor(num(a.initial, d.initial, 1)))),
      min,
      max,
      probeIntervalMs: num(a.probeIntervalMs, d.probeIntervalMs),
      latencyTolerance: num(a.latencyTolerance, d.latencyTolerance, 1),
      ttlMs,
    };
  } else if (typeof mode === 'number' && mode >= 1) {
    const limit = Math.floor(mode);
    concurrency = {
      adaptive: false,
      initial: limit,
      min: 1,
      max: limit,
      probeIntervalMs: 0,
      latencyTolerance: 1,
      ttlMs,
    };
  }
  const rate = options.rate ?? profile.rate ?? 'adaptive';
  const fixed = rate !== false && rate !== 'adaptive' && validRate(rate);
  const pace: PaceConfig = {
    rates: fixed ? [{ requests: rate.requests, perMs: rate.perMs }] : [],
    margin: num(options.rateMargin, DEFAULT_LIMITS.rateMargin),
    ttlMs,
  };
  let budget: BudgetConfig | undefined;
  if (options.budget !== false) {
    const b = options.budget ?? {};
    const d = DEFAULT_LIMITS.budget;
    budget = {
      capacity: num(b.capacity, d.capacity),
      retryCost: num(b.retryCost, d.retryCost),
      timeoutCost: num(b.timeoutCost, d.timeoutCost),
      successRefill: num(b.successRefill, d.successRefill),
      ttlMs,
    };
  }
  let breaker: NormalizedLimits['breaker'];
  if (options.breaker !== false) {
    const b = options.breaker ?? {};
    const d = DEFAULT_LIMITS.breaker;
    const openMs = num(b.openMs, d.openMs);
    breaker = {
      windowMs: num(b.windowMs, d.windowMs, 1),
      minimumRequests: num(b.minimumRequests, d.minimumRequests, 1),
      failureRatio: Math.min(1, num(b.failureRatio, d.failureRatio)),
      openMs,
      maxOpenMs: Math.max(openMs, num(b.maxOpenMs, d.maxOpenMs)),
      probeTimeoutMs: num(b.probeTimeoutMs, d.probeTimeoutMs, 1),
      ttlMs,
      isFailure: b.isFailure ?? isBreakerFailure,
    };
  }
  return {
    vendor: profile.name,
    account: options.account,
    concurrency,
    pace,
    headers: options.headers ?? DEFAULT_LIMITS.headers,
    learnRates: rate !== false,
    discoverRate: rate === 'adaptive',
    maxHoldMs: num(options.maxHoldMs, DEFAULT_LIMITS.maxHoldMs),
    budget,
    breaker,
    store: options.store,
    pollMs: num(options.pollMs, DEFAULT_LIMITS.pollMs, 1),
  };
}
