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
  /** Each window the rate is used to at least `demand` of it with no throttle, it grows by this share. */
  readonly increase: number;
  readonly demand: number;
  /** The first throttle holds the account at most this long: the vendor's window is full. */
  readonly holdMs: number;
  /** The rate never goes below this many requests per second (one a minute). */
  readonly minPerSecond: number;
} = Object.freeze({
  windowMs: 1000,
  bucketMs: 100,
  decrease: 0.95,
  increase: 0.05,
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

/** One account's discovery, kept by the client that saw its answers. */
export interface RateDiscovery {
  /** The discovered rate in requests per second; 0 while none is known. */
  perSecond: number;
  /** When `perSecond` last changed. */
  changedAt: number;
  /** When the last throttle was acted on: one decrease per window, whatever else was in flight. */
  decreasedAt: number;
  /** Successes per bucket over the last window and the bucket before, a ring indexed by bucket number. */
  counts: number[];
  /** The newest bucket's number (time / `bucketMs`). */
  bucket: number;
}

/** What a throttle or a success changes: the rates to pace by, and a hold of the account. */
export interface DiscoveryChange {
  /** The new rates, when the discovered rate changed. */
  rates?: RateSpec[];
  /** Hold the account this long (the first throttle). */
  holdMs?: number;
}

/** A discovery with nothing learned. */
export function createRateDiscovery(): RateDiscovery {
  return {
    perSecond: 0,
    changedAt: Number.NEGATIVE_INFINITY,
    decreasedAt: Number.NEGATIVE_INFINITY,
    counts: new Array<number>(BUCKETS).fill(0),
    bucket: Number.NEGATIVE_INFINITY,
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

/** A rate unused for this long is forgotten here, as the store forgets it (`stateTtlMs`). */
function expire(d: RateDiscovery, now: number, ttlMs: number): void {
  if (d.perSecond > 0 && now - d.changedAt >= ttlMs) {
    d.perSecond = 0;
    d.decreasedAt = Number.NEGATIVE_INFINITY;
  }
}

/**
 * A success: counted, and once a whole window (or one start of a slow rate) has passed since the
 * rate last changed with the rate used to at least `demand` of it and no throttle, the rate grows
 * by `increase` (at least 1 per second; below 1 per second, it doubles). A rate the client does
 * not use is not raised: it would only allow a burst later.
 */
export function discoverySuccess(
  d: RateDiscovery,
  now: number,
  ttlMs: number,
): DiscoveryChange | undefined {
  expire(d, now, ttlMs);
  advance(d, now);
  d.counts[slot(d.bucket)]!++;
  if (d.perSecond === 0) return undefined;
  const span = Math.max(DISCOVERY.windowMs, 1000 / d.perSecond);
  if (now - d.changedAt < span) return undefined;
  // Below one a window, any success in the window is use enough.
  const used = recentSuccesses(d, now);
  if (used < (DISCOVERY.demand * d.perSecond * DISCOVERY.windowMs) / 1000) return undefined;
  d.perSecond += Math.max(d.perSecond * DISCOVERY.increase, Math.min(1, d.perSecond));
  d.changedAt = now;
  return { rates: discoveredRates(d.perSecond) };
}

/**
 * A throttle that told nothing (no `Retry-After`, no `RateLimit` headers): at most once per
 * window, the rate falls to `decrease` times what got through in the last window (once paced:
 * bounded by the rate and by half of it). The first throttle also holds the account until the
 * successes counted have left a window (a second at most): the vendor's window is full of the
 * starts that led to it, which the pacer never logged. With nothing through in the last window,
 * there is nothing to measure: no change.
 */
export function discoveryThrottle(
  d: RateDiscovery,
  now: number,
  ttlMs: number,
): DiscoveryChange | undefined {
  expire(d, now, ttlMs);
  if (now - d.decreasedAt < DISCOVERY.windowMs) return undefined;
  const seen = recentSuccesses(d, now);
  const first = d.perSecond === 0;
  // Nothing got through lately: no rate to measure, and no sign the vendor's window is full of
  // ours. The request's own backoff answers it.
  if (first && seen < 1) return undefined;
  d.decreasedAt = now;
  // What got through is the best estimate of the vendor's rate; paced, it is at most the rate,
  // and at least half of it: another process sharing the account, or a window longer than ours,
  // must not make one throttle collapse the rate.
  const base = first ? seen : Math.min(d.perSecond, Math.max(seen, d.perSecond / 2));
  d.perSecond = Math.max(DISCOVERY.minPerSecond, base * DISCOVERY.decrease);
  const rates = discoveredRates(d.perSecond);
  if (!first) {
    d.changedAt = now;
    return { rates };
  }
  // The vendor's window empties as the successes in it leave it: the hold ends a window after
  // the end of the oldest bucket that holds any (a second at most).
  const holdMs = Math.min(DISCOVERY.holdMs, oldestEnd(d) + DISCOVERY.windowMs - now);
  // The rate takes effect when the hold ends: its first window of use counts from there.
  d.changedAt = now + holdMs;
  return { rates, holdMs };
}
