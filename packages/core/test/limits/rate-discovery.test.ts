import {
  createRateDiscovery,
  DISCOVERY,
  discoveredRates,
  discoverySuccess,
  discoveryThrottle,
  type RateDiscovery,
  recentSuccesses,
} from '@triage/core';
import { describe, expect, test } from 'vitest';

const TTL = 600_000;

/** `count` successes spread evenly over [from, to). */
function succeed(d: RateDiscovery, count: number, from: number, to: number) {
  const changes = [];
  for (let i = 0; i < count; i++) {
    const change = discoverySuccess(d, from + Math.floor(((to - from) * i) / count), TTL);
    if (change !== undefined) changes.push(change);
  }
  return changes;
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

  test('successes are counted over the trailing second: 100 ms buckets, the oldest in part', async () => {
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

  test('a throttle with nothing through in the last second changes nothing', () => {
    const d = createRateDiscovery();
    expect(discoveryThrottle(d, 0, TTL)).toBeUndefined();
    succeed(d, 10, 0, 100);
    expect(discoveryThrottle(d, 1200, TTL)).toBeUndefined();
    expect(d.perSecond).toBe(0);
  });

  test('the first throttle paces at 95% of what got through and holds the account for a second', () => {
    const d = createRateDiscovery();
    succeed(d, 100, 0, 250);
    expect(discoveryThrottle(d, 260, TTL)).toEqual({
      rates: [
        { requests: 95, perMs: 1000 },
        { requests: 10, perMs: 100 },
      ],
      // Until the bucket of 0–99 ms has left the window: 1,100 ms.
      holdMs: 840,
    });
    // Throttles of starts sent before the decrease are answered within the window: ignored.
    expect(discoveryThrottle(d, 500, TTL)).toBeUndefined();
    expect(discoveryThrottle(d, 1259, TTL)).toBeUndefined();
    expect(d.perSecond).toBe(95);
    // The rate takes effect when the hold ends: its first window of use starts there.
    expect(d.changedAt).toBe(1100);
  });

  test('used for a second with no throttle, the rate grows 5% (at least 1 per second); unused, it stays', () => {
    const d = createRateDiscovery();
    succeed(d, 40, 0, 1000);
    expect(discoveryThrottle(d, 999, TTL)?.rates).toEqual([
      { requests: 38, perMs: 1000 },
      { requests: 4, perMs: 100 },
    ]);
    // Held until 1,100 (the first bucket's successes leave the window then); 38 a second from
    // there: the first success a second after the hold raises it by 5%.
    const grown = succeed(d, 38, 1100, 2100);
    expect(grown).toEqual([]);
    expect(discoverySuccess(d, 2100, TTL)).toEqual({
      rates: [
        { requests: 39, perMs: 1000 },
        { requests: 4, perMs: 100 },
      ],
    });
    expect(d.perSecond).toBeCloseTo(39.9, 10);
    // A second at a tenth of the rate: not used enough to need more.
    succeed(d, 4, 2101, 3100);
    expect(discoverySuccess(d, 3100, TTL)).toBeUndefined();
    expect(d.perSecond).toBeCloseTo(39.9, 10);
    // Below 20 a second the step is 1 a second.
    const slow = createRateDiscovery();
    succeed(slow, 10, 0, 1000);
    discoveryThrottle(slow, 999, TTL);
    expect(slow.perSecond).toBe(9.5);
    succeed(slow, 10, 1100, 2100);
    expect(discoverySuccess(slow, 2100, TTL)?.rates).toEqual([
      { requests: 10, perMs: 1000 },
      { requests: 1, perMs: 100 },
    ]);
    expect(slow.perSecond).toBe(10.5);
  });

  test('paced and throttled again: 95% of what got through, bounded by the rate and by half of it', () => {
    const d = createRateDiscovery();
    succeed(d, 100, 0, 1000);
    discoveryThrottle(d, 999, TTL);
    expect(d.perSecond).toBe(95);
    // 90 got through in the second before: 95% of 90.
    succeed(d, 90, 1100, 2100);
    expect(discoveryThrottle(d, 2099, TTL)).toEqual({
      rates: [
        { requests: 85, perMs: 1000 },
        { requests: 9, perMs: 100 },
      ],
    });
    expect(d.perSecond).toBe(85.5);
    // Next to nothing got through (another process took the quota, or the vendor's window is
    // longer): half the rate at most, then 95% of that.
    expect(discoveryThrottle(d, 3099, TTL)).toEqual({
      rates: [
        { requests: 40, perMs: 1000 },
        { requests: 4, perMs: 100 },
      ],
    });
    expect(d.perSecond).toBeCloseTo(40.6125, 10);
    // More through than the rate (successes of starts paced before) never raises it on a throttle.
    succeed(d, 80, 3100, 4100);
    discoveryThrottle(d, 4099, TTL);
    expect(d.perSecond).toBeCloseTo(40.6125 * 0.95, 10);
  });

  test('slow rates: spaced single starts; below 1 a second the step doubles it, after one interval', () => {
    const d = createRateDiscovery();
    succeed(d, 2, 0, 1000);
    expect(discoveryThrottle(d, 999, TTL)?.rates).toEqual([{ requests: 1, perMs: 526 }]);
    // 1.9 a second: +1 a second once used (three successes in the last second).
    succeed(d, 2, 1100, 2100);
    expect(discoverySuccess(d, 2100, TTL)?.rates).toEqual([{ requests: 1, perMs: 345 }]);
    // Throttled down to under one a second...
    const slow = createRateDiscovery();
    succeed(slow, 1, 0, 1);
    discoveryThrottle(slow, 1, TTL);
    expect(slow.perSecond).toBe(0.95);
    discoveryThrottle(slow, 2001, TTL);
    expect(slow.perSecond).toBeCloseTo(0.95 * 0.5 * 0.95, 10);
    // ...it grows only after a whole interval (1 / rate: 2,216 ms) with a success in the last
    // second: doubled.
    expect(discoverySuccess(slow, 3001, TTL)).toBeUndefined();
    expect(discoverySuccess(slow, 4218, TTL)?.rates).toEqual([{ requests: 1, perMs: 1108 }]);
  });

  test('a rate unchanged for stateTtlMs is forgotten, as the store forgets it', () => {
    const d = createRateDiscovery();
    succeed(d, 20, 0, 1000);
    discoveryThrottle(d, 999, TTL);
    expect(d.perSecond).toBe(19);
    succeed(d, 20, 2000 + TTL, 3000 + TTL);
    expect(d.perSecond).toBe(0);
    // Starting over: the next throttle is a first one again, with its hold (until the first
    // bucket of successes has left the window).
    expect(discoveryThrottle(d, 2999 + TTL, TTL)?.holdMs).toBe(101);
  });
});
