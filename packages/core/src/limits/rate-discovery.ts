import type { RateSpec } from '../types/vendor.ts';

/**
 * The numbers of rate discovery, in one place. Fixed, not options: they describe how a vendor
 * that documents no rate and sends no `RateLimit` headers is probed, and the benchmark
 * (`docs/benchmarks.md`, rate) is what they were chosen against.
 */
export const DISCOVERY: {
  /** Successes are counted over this trailing window: vendors that publish none mostly count per second. */
  readonly windowMs: number;
  /** The window's resolution: it is a ring of counts, one per bucket. */
  readonly bucketMs: number;
  /** On a throttle, the rate becomes this share of what got through in the last window. */
  readonly decrease: number;
  /**
   * Once paced, one throttle takes the rate down to at most this share of it before `decrease`:
   * a client sees only its own successes, which in a fleet sharing the account are its share.
   */
  readonly floor: number;
  /**
   * Each window the rate is in demand with no throttle, it grows by this share, doubled for each
   * growth in a row since the last decrease, up to `maxIncrease`: a client that started from its
   * share of a fleet's successes gets back to the account's rate in seconds, not minutes.
   */
  readonly increase: number;
  readonly maxIncrease: number;
  /** In demand: requests waited for the rate, or successes reached this share of it. */
  readonly demand: number;
  /** The first throttle holds the account at most this long: the vendor's window is full. */
  readonly holdMs: number;
  /** The rate never goes below this many requests per second (one a minute). */
  readonly minPerSecond: number;
} = Object.freeze({
  windowMs: 1000,
  bucketMs: 100,
  decrease: 0.95,
  floor: 0.8,
  increase: 0.05,
  maxIncrease: 0.4,
  demand: 0.9,
  holdMs: 1000,
  minPerSecond: 1 / 60,
});

/** The window's buckets, plus the one partly out of it. */
const SPAN = DISCOVERY.windowMs / DISCOVERY.bucketMs;
const BUCKETS = SPAN + 1;

/** Bucket number `n`'s place in the ring (bucket numbers may be negative before the epoch). */
function slot(n: number): number {
  return ((n % BUCKETS) + BUCKETS) % BUCKETS;
}

/**
 * The account's discovered rate as the store last said: kept in the pacer's record as its learned
 * rates, so every client of the store (every process, with a shared store) paces by the same one
 * and changes the same one.
 */
export interface SharedRate {
  /** The learned rates it was read from, as the pacer holds them. */
  rates: readonly RateSpec[];
  /** Requests per second. */
  perSecond: number;
  /** When it was last changed, on the engine's clock. */
  changedAt: number;
}

/** What one client knows for discovery: its own successes and proposals, the rate in force. */
export interface RateDiscovery {
  /** Successes per bucket over the last window and the bucket before, a ring indexed by bucket number. */
  counts: number[];
  /** The newest bucket's number (time / `bucketMs`). */
  bucket: number;
  /** The discovered rate in force, as the pacer's record last said ({@link observeRates}). */
  shared: SharedRate | undefined;
  /** When the rate last went down (or this client proposed that it should): throttles of starts
   * sent before that are not news. */
  cutAt: number;
  /** When a throttle last came: the rate does not grow for a window after one. */
  throttledAt: number;
  /** When this client last proposed a higher rate: its answer may not have come back yet. */
  proposedAt: number;
  /** Growths in a row since the rate last went down. */
  growths: number;
  /** When a request of this client last waited for the rate: the rate is in demand. */
  waitedAt: number;
}

/** What a throttle or a success changes: the rates to pace by, and a hold of the account. */
export interface DiscoveryChange {
  /** The new rates. */
  rates: RateSpec[];
  /**
   * The rates in force the change was computed from (none, for a first discovery): `rates` are
   * written only if these still are, so a client that has not yet heard of another's change
   * neither undoes it nor makes it twice.
   */
  ifRates: readonly RateSpec[];
  /** Hold the account this long (the first throttle). */
  holdMs?: number;
}

/** A discovery with nothing counted. */
export function createRateDiscovery(): RateDiscovery {
  const never = Number.NEGATIVE_INFINITY;
  return {
    counts: new Array<number>(BUCKETS).fill(0),
    bucket: never,
    shared: undefined,
    cutAt: never,
    throttledAt: never,
    proposedAt: never,
    growths: 0,
    waitedAt: never,
  };
}

/**
 * The rates that pace `perSecond`: over a second, and over a tenth of it so that a burst after a
 * quiet spell does not empty a vendor's token bucket at once. Below 10 per second, evenly spaced
 * single starts.
 *
 * @example
 * ```ts
 * discoveredRates(90); // [{ requests: 90, perMs: 1000 }, { requests: 9, perMs: 100 }]
 * discoveredRates(4);  // [{ requests: 1, perMs: 250 }]
 * ```
 */
export function discoveredRates(perSecond: number): RateSpec[] {
  if (perSecond < 10) return [{ requests: 1, perMs: Math.round(1000 / perSecond) }];
  const requests = Math.floor(perSecond);
  return [
    { requests, perMs: 1000 },
    { requests: Math.ceil(requests / 10), perMs: 100 },
  ];
}

/**
 * The discovered rate in the pacer's learned rates (`take` and `learn` answers), read back from
 * {@link discoveredRates}' shapes; `undefined` when none is in force.
 */
export function sharedRate(
  learned: readonly RateSpec[] | undefined,
  learnedAt: number | undefined,
): SharedRate | undefined {
  if (learned === undefined || learnedAt === undefined) return undefined;
  const first = learned[0];
  if (first === undefined) return undefined;
  return { rates: learned, perSecond: (first.requests * 1000) / first.perMs, changedAt: learnedAt };
}

/**
 * Notes the learned rates a `take` or `learn` answer carried: the rate in force, and when it went
 * down (a first rate, or a lower one: another client's decrease counts as this one's).
 */
export function observeRates(
  d: RateDiscovery,
  learned: readonly RateSpec[] | undefined,
  learnedAt: number | undefined,
): void {
  const previous = d.shared;
  // The same record as last time (the in-memory store answers with its own array): nothing new,
  // and no object per request.
  if (previous !== undefined && previous.rates === learned && previous.changedAt === learnedAt)
    return;
  const next = sharedRate(learned, learnedAt);
  if (next !== undefined && (previous === undefined || next.perSecond < previous.perSecond)) {
    d.cutAt = Math.max(d.cutAt, next.changedAt);
    d.growths = 0;
  }
  d.shared = next;
}

/** Moves the ring to `now`'s bucket, emptying the buckets that fell out of the window. */
function advance(d: RateDiscovery, now: number): void {
  const bucket = Math.floor(now / DISCOVERY.bucketMs);
  if (bucket <= d.bucket) return;
  const steps = Math.min(bucket - d.bucket, BUCKETS);
  for (let i = 1; i <= steps; i++) d.counts[slot(bucket - steps + i)] = 0;
  d.bucket = bucket;
}

/**
 * Successes in the trailing window: the buckets inside it, and the share of the bucket partly
 * out of it that the window still covers, as if its successes were spread evenly (the sliding
 * window counter's estimate). Whole buckets alone would miss up to a tenth of the window.
 */
export function recentSuccesses(d: RateDiscovery, now: number): number {
  advance(d, now);
  let sum = 0;
  for (let i = 0; i < SPAN; i++) sum += d.counts[slot(d.bucket - i)]!;
  const into = (now - d.bucket * DISCOVERY.bucketMs) / DISCOVERY.bucketMs;
  return sum + d.counts[slot(d.bucket - SPAN)]! * (1 - into);
}

/** The end of the oldest bucket in the ring with a success in it (after `advance`). */
function oldestEnd(d: RateDiscovery): number {
  for (let i = SPAN; i > 0; i--)
    if (d.counts[slot(d.bucket - i)]! > 0) return (d.bucket - i + 1) * DISCOVERY.bucketMs;
  return (d.bucket + 1) * DISCOVERY.bucketMs;
}

/**
 * A success: counted; and once a whole window (or one start of a slow rate) has passed since the
 * rate last changed, since the end of any hold and since the last throttle, with the rate in
 * demand (a request of this client waited for it in the last window, or its successes reached
 * `demand` of it), the rate grows by `increase`, doubled for each growth in a row up to
 * `maxIncrease` (at least 1 per second; below 1 per second, it doubles). A rate nobody waits for
 * is not raised: it would only allow a burst later.
 */
export function discoverySuccess(
  d: RateDiscovery,
  now: number,
  holdUntil: number,
): DiscoveryChange | undefined {
  advance(d, now);
  d.counts[slot(d.bucket)]!++;
  const shared = d.shared;
  if (shared === undefined) return undefined;
  const rate = shared.perSecond;
  const span = Math.max(DISCOVERY.windowMs, 1000 / rate);
  const since = Math.max(shared.changedAt, holdUntil, d.throttledAt, d.proposedAt);
  if (now - since < span) return undefined;
  const waited = now - d.waitedAt < DISCOVERY.windowMs;
  if (!waited && recentSuccesses(d, now) < (DISCOVERY.demand * rate * DISCOVERY.windowMs) / 1000)
    return undefined;
  d.proposedAt = now;
  const share = Math.min(DISCOVERY.maxIncrease, DISCOVERY.increase * 2 ** d.growths++);
  return {
    rates: discoveredRates(rate + Math.max(rate * share, Math.min(1, rate))),
    ifRates: shared.rates,
  };
}

/**
 * A throttle that told nothing (no `Retry-After`, no `RateLimit` headers), unless it came within a
 * window of the last decrease (its request left before it):
 *
 * - **First** (no rate in force): 95% of what got through in the last window, and a hold of the
 *   account until those successes have left the window (a second at most): the vendor's window
 *   is full of the starts that led to the throttle, which the pacer never logged. With nothing
 *   through, there is nothing to measure: no change.
 * - **Paced and throttled again**: 95% of what got through, but at most the rate and at least
 *   `floor` of it (a client in a fleet sees only its share of the successes).
 */
export function discoveryThrottle(d: RateDiscovery, now: number): DiscoveryChange | undefined {
  d.throttledAt = now;
  if (now - d.cutAt < DISCOVERY.windowMs) return undefined;
  const seen = recentSuccesses(d, now);
  const shared = d.shared;
  if (shared !== undefined) {
    const rate = shared.perSecond;
    const base = Math.min(rate, Math.max(seen, rate * DISCOVERY.floor));
    d.cutAt = now;
    d.growths = 0;
    return {
      rates: discoveredRates(Math.max(DISCOVERY.minPerSecond, base * DISCOVERY.decrease)),
      ifRates: shared.rates,
    };
  }
  if (seen < 1) return undefined;
  d.cutAt = now;
  return {
    rates: discoveredRates(Math.max(DISCOVERY.minPerSecond, seen * DISCOVERY.decrease)),
    ifRates: [],
    holdMs: Math.min(DISCOVERY.holdMs, oldestEnd(d) + DISCOVERY.windowMs - now),
  };
}
