import {
  createRateDiscovery,
  DISCOVERY,
  discoveredRates,
  discoverySuccess,
  discoveryThrottle,
  observeRates,
  type RateDiscovery,
  recentSuccesses,
  sharedRate,
} from '@triage/core';
import { describe, expect, test } from 'vitest';

/** `count` successes spread evenly over [from, to); the growths they proposed. */
function succeed(d: RateDiscovery, count: number, from: number, to: number) {
  const changes = [];
  for (let i = 0; i < count; i++) {
    const change = discoverySuccess(d, from + Math.floor(((to - from) * i) / count), 0);
    if (change !== undefined) changes.push(change);
  }
  return changes;
}

/** A discovery that knows `perSecond` is in force since `at` (as a `take` answer says). */
function pacedAt(perSecond: number, at: number): RateDiscovery {
  const d = createRateDiscovery();
  observeRates(d, discoveredRates(perSecond), at);
  return d;
}

describe('rate discovery', () => {
  test('rates: a second and a tenth of it from 10 per second; single spaced starts below', () => {
    expect(discoveredRates(95)).toEqual([
      { requests: 95, perMs: 1000 },
      { requests: 10, perMs: 100 },
    ]);
    expect(discoveredRates(10.5)).toEqual([
      { requests: 10, perMs: 1000 },
      { requests: 1, perMs: 100 },
    ]);
    expect(discoveredRates(4)).toEqual([{ requests: 1, perMs: 250 }]);
    expect(discoveredRates(DISCOVERY.minPerSecond)).toEqual([{ requests: 1, perMs: 60_000 }]);
  });

  test('the rate in force is read back from the learned rates the pacer answers with', () => {
    const rates = discoveredRates(95.7);
    expect(sharedRate(rates, 10)).toEqual({ rates, perSecond: 95, changedAt: 10 });
    expect(sharedRate([{ requests: 1, perMs: 250 }], 10)).toMatchObject({ perSecond: 4 });
    expect(sharedRate(undefined, undefined)).toBeUndefined();
    expect(sharedRate([], 10)).toBeUndefined();
  });

  test('successes are counted over the trailing second: 100 ms buckets, the oldest in part', () => {
    const d = createRateDiscovery();
    succeed(d, 30, 0, 300);
    expect(recentSuccesses(d, 300)).toBe(30);
    // At 1,000 ms the window (0, 1000] still covers the bucket of 0–99 ms; at 1,050 half of it,
    // as if its 10 successes were spread evenly.
    expect(recentSuccesses(d, 1000)).toBe(30);
    expect(recentSuccesses(d, 1050)).toBe(25);
    expect(recentSuccesses(d, 1100)).toBe(20);
    expect(recentSuccesses(d, 1300)).toBe(0);
    // A long gap empties the whole ring at once.
    succeed(d, 5, 5000, 5100);
    expect(recentSuccesses(d, 5100)).toBe(5);
  });

  test('a first throttle with nothing through in the last second changes nothing', () => {
    const d = createRateDiscovery();
    expect(discoveryThrottle(d, 0)).toBeUndefined();
    succeed(d, 10, 0, 100);
    expect(discoveryThrottle(d, 1200)).toBeUndefined();
  });

  test('the first throttle: 95% of what got through, a hold until it has left the window', () => {
    const d = createRateDiscovery();
    succeed(d, 100, 0, 250);
    expect(discoveryThrottle(d, 260)).toEqual({
      rates: [
        { requests: 95, perMs: 1000 },
        { requests: 10, perMs: 100 },
      ],
      // Written only if no rate is in force yet (another client may have been first).
      ifRates: [],
      // Until the bucket of 0–99 ms has left the window: 1,100 ms.
      holdMs: 840,
    });
    observeRates(d, discoveredRates(95), 260);
    // Throttles of starts sent before the decrease are not news for a window.
    expect(discoveryThrottle(d, 500)).toBeUndefined();
    expect(discoveryThrottle(d, 1259)).toBeUndefined();
    // Then one is: 8 got through in the last second (a share of the 200–299 bucket), so the
    // floor applies: 95% of 80% of the rate.
    expect(discoveryThrottle(d, 1260)).toEqual({
      rates: [
        { requests: 72, perMs: 1000 },
        { requests: 8, perMs: 100 },
      ],
      // Written only over the rates it was computed from.
      ifRates: discoveredRates(95),
    });
  });

  test('paced and throttled again: 95% of what got through, at most the rate, at least 80% of it', () => {
    const d = pacedAt(95, 1000);
    succeed(d, 90, 1000, 2000);
    expect(discoveryThrottle(d, 2000)?.rates).toEqual([
      { requests: 85, perMs: 1000 },
      { requests: 9, perMs: 100 },
    ]);
    observeRates(d, discoveredRates(85.5), 2000);
    // Next to nothing through (another process took the quota): 80% of the rate, then 95%.
    expect(discoveryThrottle(d, 3000)?.rates).toEqual([
      { requests: 64, perMs: 1000 },
      { requests: 7, perMs: 100 },
    ]);
    // More through than the rate never raises it on a throttle.
    const busy = pacedAt(40, 0);
    succeed(busy, 80, 0, 1000);
    expect(discoveryThrottle(busy, 1000)?.rates[0]).toEqual({ requests: 38, perMs: 1000 });
  });

  test("another client's decrease is a decrease: throttles within a window of it are not news", () => {
    const d = pacedAt(100, 0);
    succeed(d, 50, 0, 1000);
    observeRates(d, discoveredRates(80), 500);
    expect(d.cutAt).toBe(500);
    expect(discoveryThrottle(d, 1499)).toBeUndefined();
    expect(discoveryThrottle(d, 1500)?.rates[0]).toEqual({ requests: 60, perMs: 1000 });
    // A higher rate is a growth, not a decrease.
    observeRates(d, discoveredRates(90), 1600);
    expect(d.cutAt).toBe(1500);
  });

  test('growth: a second of demand and no throttle adds 5%, then 10%, 20%, 40% in a row', () => {
    const d = pacedAt(38, 1000);
    expect(succeed(d, 38, 1000, 2000)).toEqual([]);
    // A growth is written only over the rates it grew from (another client may have cut them).
    expect(discoverySuccess(d, 2000, 0)).toEqual({
      rates: [
        { requests: 39, perMs: 1000 },
        { requests: 4, perMs: 100 },
      ],
      ifRates: discoveredRates(38),
    });
    const steps = [];
    for (let t = 2000; t < 6000; t += 1000) {
      observeRates(d, discoveredRates(d.shared!.perSecond === 38 ? 39.9 : steps.at(-1)!), t);
      succeed(d, Math.ceil(d.shared!.perSecond), t, t + 1000);
      const rate = discoverySuccess(d, t + 1000, 0)?.rates[0]?.requests;
      steps.push(rate!);
    }
    // 39 → +10% → 42, → +20% → 50, → +40% → 70, → +40% (the cap) → 98.
    expect(steps).toEqual([42, 50, 70, 98]);
  });

  test('no growth without demand, within a window of a throttle or before a hold ends', () => {
    // A tenth of the rate used, no request waited: nothing to gain.
    const idle = pacedAt(40, 0);
    succeed(idle, 4, 0, 1000);
    expect(discoverySuccess(idle, 1000, 0)).toBeUndefined();
    // The same successes while this client's requests waited for the rate: in demand (in a fleet,
    // a client's successes are its share of the rate).
    idle.waitedAt = 900;
    expect(discoverySuccess(idle, 1001, 0)?.rates[0]).toEqual({ requests: 42, perMs: 1000 });
    // A throttle, even one that was not news, holds growth off for a window.
    const throttled = pacedAt(40, 0);
    succeed(throttled, 40, 0, 1000);
    discoveryThrottle(throttled, 500);
    throttled.waitedAt = 1400;
    expect(discoverySuccess(throttled, 1000, 0)).toBeUndefined();
    expect(discoverySuccess(throttled, 1499, 0)).toBeUndefined();
    expect(discoverySuccess(throttled, 1500, 0)?.rates[0]).toEqual({ requests: 42, perMs: 1000 });
    // A hold (the first throttle's) ends before the window of use starts.
    const held = pacedAt(40, 0);
    succeed(held, 40, 0, 1000);
    held.waitedAt = 1700;
    expect(discoverySuccess(held, 1000, 800)).toBeUndefined();
    expect(discoverySuccess(held, 1799, 800)).toBeUndefined();
    expect(discoverySuccess(held, 1800, 800)?.rates[0]).toEqual({ requests: 42, perMs: 1000 });
  });

  test('slow rates: spaced single starts; below 1 a second growth doubles it, after one interval', () => {
    const d = pacedAt(1.9, 0);
    expect(d.shared?.perSecond).toBeCloseTo(1000 / 526, 10);
    succeed(d, 2, 0, 1000);
    expect(discoverySuccess(d, 1000, 0)?.rates).toEqual([{ requests: 1, perMs: 345 }]);
    const slow = pacedAt(0.45125, 0);
    // One start every 2,216 ms: it grows after one interval, not one second.
    expect(discoverySuccess(slow, 1000, 0)).toBeUndefined();
    expect(discoverySuccess(slow, 2216, 0)?.rates).toEqual([{ requests: 1, perMs: 1108 }]);
  });
});
