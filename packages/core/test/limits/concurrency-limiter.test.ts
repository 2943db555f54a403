import {
  type ConcurrencyConfig,
  type ConcurrencyInput,
  type ConcurrencyOutput,
  concurrencyMachine,
  createMemoryStore,
  type StateKey,
} from '@triage/core';
import { describe, expect, test } from 'vitest';

const adaptive: ConcurrencyConfig = {
  adaptive: true,
  initial: 10,
  min: 1,
  max: 1000,
  probeIntervalMs: 10_000,
  latencyTolerance: 2,
  ttlMs: 600_000,
};
const key: StateKey = { vendor: 'v', account: 'a', kind: 'concurrency' };

/**
 * A limiter over an in-memory store; `t` is the time of the next step. Its answers leave out
 * `served` (the count of attempts served), which the tests of late throttles read from `full`.
 */
function limiter(config: Partial<ConcurrencyConfig> = {}) {
  const store = createMemoryStore();
  const machine = concurrencyMachine({ ...adaptive, ...config });
  const at = { t: 0 };
  const full = (input: ConcurrencyInput): ConcurrencyOutput =>
    store.apply(key, machine, input, at.t);
  const step = (input: ConcurrencyInput): Omit<ConcurrencyOutput, 'served'> => {
    const { served: _, ...rest } = full(input);
    return rest;
  };
  const acquire = (want = 1) => step({ op: 'acquire', want });
  const release = (
    outcome: 'success' | 'throttled' | 'failure' | 'cancelled',
    over: {
      latencyMs?: number;
      inflightAtSend?: number;
      servedAtSend?: number;
      waiting?: number;
    } = {},
  ) =>
    step({
      op: 'release',
      outcome,
      latencyMs: over.latencyMs ?? 20,
      inflightAtSend: over.inflightAtSend ?? 2,
      ...(over.servedAtSend === undefined ? {} : { servedAtSend: over.servedAtSend }),
      waiting: over.waiting ?? 0,
    });
  return { step, full, acquire, release, at, store };
}

describe('concurrency limiter: acquire', () => {
  test('grants up to the limit, no more, and counts slots held', () => {
    const l = limiter({ initial: 3 });
    expect(l.acquire(2)).toEqual({ granted: 2, limit: 3, previous: 3, inflight: 2 });
    expect(l.acquire(5)).toEqual({ granted: 1, limit: 3, previous: 3, inflight: 3 });
    expect(l.acquire()).toEqual({ granted: 0, limit: 3, previous: 3, inflight: 3 });
  });

  test('a release hands the freed slot to a waiting request in the same step', () => {
    const l = limiter({ initial: 2 });
    l.acquire(2);
    expect(l.release('failure', { waiting: 3 })).toEqual({
      granted: 1,
      limit: 2,
      previous: 2,
      inflight: 2,
    });
  });

  test('a fixed limit never moves, whatever the outcomes', () => {
    const l = limiter({ adaptive: false, initial: 2, max: 2 });
    l.acquire(2);
    expect(l.release('throttled', { inflightAtSend: 2, waiting: 5 })).toMatchObject({
      limit: 2,
      granted: 1,
    });
    expect(l.release('success', { waiting: 5 })).toMatchObject({ limit: 2, granted: 1 });
  });
});

describe('concurrency limiter: a slot kept for the next request', () => {
  test('keep: the client passed its slot on; the others get what a plain release would give', () => {
    const kept = limiter({ initial: 2 });
    const plain = limiter({ initial: 2 });
    kept.acquire(2);
    plain.acquire(2);
    const keep = { op: 'release', outcome: 'success', latencyMs: 20, inflightAtSend: 2 } as const;
    // Slow start grows the limit to 3 either way: one more slot for the queue beyond the kept one.
    expect(kept.step({ ...keep, waiting: 3, keep: true })).toEqual({
      granted: 1,
      limit: 3,
      previous: 2,
      inflight: 3,
      reason: 'slow-start',
    });
    expect(plain.step({ ...keep, waiting: 3 })).toEqual({
      granted: 2,
      limit: 3,
      previous: 2,
      inflight: 3,
      reason: 'slow-start',
    });
  });

  test('a kept slot stays counted even when a lower quota says the limit is full', () => {
    const l = limiter({ initial: 3 });
    l.acquire(3);
    l.step({ op: 'ceiling', max: 2 });
    expect(
      l.step({
        op: 'release',
        outcome: 'success',
        latencyMs: 20,
        inflightAtSend: 3,
        waiting: 2,
        keep: true,
      }),
    ).toEqual({ granted: 0, limit: 2, previous: 2, inflight: 3 });
  });
});

describe('concurrency limiter: holds', () => {
  test('slots granted during a hold carry its end; a shorter hold does not shorten it', () => {
    const l = limiter({ adaptive: false, initial: 2, max: 2, ttlMs: 1000 });
    l.acquire();
    expect(l.step({ op: 'hold', until: 5000 })).toEqual({
      granted: 0,
      limit: 2,
      previous: 2,
      inflight: 1,
      holdUntil: 5000,
    });
    l.step({ op: 'hold', until: 3000 });
    // Kept past ttlMs while the hold lasts: the slot taken at 0 is still counted at 4000.
    l.at.t = 4000;
    expect(l.acquire()).toEqual({
      granted: 1,
      limit: 2,
      previous: 2,
      inflight: 2,
      holdUntil: 5000,
    });
    l.at.t = 4999;
    expect(l.release('success')).toMatchObject({ inflight: 1, holdUntil: 5000 });
    // Over: no more `holdUntil`.
    l.at.t = 5500;
    expect(l.acquire()).toEqual({ granted: 1, limit: 2, previous: 2, inflight: 2 });
  });
});

describe('concurrency limiter: slow start', () => {
  test('+1 per clean completion only while demand exceeds the limit', () => {
    const l = limiter({ initial: 2 });
    l.acquire(2);
    // Full (2 of 2 held) with 3 waiting: the limit grows and both freed slots are handed over.
    expect(l.release('success', { waiting: 3 })).toEqual({
      granted: 2,
      limit: 3,
      previous: 2,
      inflight: 3,
      reason: 'slow-start',
    });
    // 3 of 3 held: a completion finds the limit full even with nobody waiting.
    expect(l.release('success')).toMatchObject({ limit: 4, inflight: 2, reason: 'slow-start' });
    // 2 of 4 held and nobody waiting: application-limited, no growth (RFC 7661).
    expect(l.release('success')).toEqual({ granted: 0, limit: 4, previous: 4, inflight: 1 });
    expect(l.release('success')).toEqual({ granted: 0, limit: 4, previous: 4, inflight: 0 });
  });

  test('a lone throttled request leaves the limit alone: it was a rate limit', () => {
    const l = limiter();
    l.acquire();
    expect(l.release('throttled', { inflightAtSend: 1 })).toEqual({
      granted: 0,
      limit: 10,
      previous: 10,
      inflight: 0,
    });
  });

  test('throttles with company: the limit becomes the other requests still in flight', () => {
    const l = limiter();
    l.acquire(10);
    // The vendor accepted 4 and rejects 6: each rejection arrives while the others are in flight.
    const limits = [10, 9, 8, 7, 6, 5].map(
      (sent) => l.release('throttled', { inflightAtSend: sent, waiting: 22 }).limit,
    );
    expect(limits).toEqual([9, 8, 7, 6, 5, 4]);
    expect(l.acquire()).toMatchObject({ granted: 0, limit: 4, inflight: 4 });
  });

  test('a refusal handled after the others were answered counts them: the limit stays at what was served', () => {
    const l = limiter();
    // A burst of 10: the vendor serves the first 4 and refuses the other 6 at once, but the
    // client handles the refusals only after the 4 were answered (a busy event loop, a slow store).
    expect(l.full({ op: 'acquire', want: 10 })).toMatchObject({ granted: 10, served: 0 });
    for (let sent = 1; sent <= 4; sent++)
      l.release('success', { inflightAtSend: sent, servedAtSend: 0, waiting: 0 });
    expect(l.full({ op: 'acquire', want: 0 })).toMatchObject({ inflight: 6, served: 4 });
    const limits = [5, 6, 7, 8, 9, 10].map(
      (sent) => l.release('throttled', { inflightAtSend: sent, servedAtSend: 0 }).limit,
    );
    // The others still in flight (5 … 0) plus the 4 served since: it ends at 4. Counting the ones
    // in flight alone would have taken it to 1.
    expect(limits).toEqual([9, 8, 7, 6, 5, 4]);
    // Without `servedAtSend` nothing counts as served since: the limit falls to what is in flight.
    const bare = limiter();
    bare.acquire(10);
    for (let sent = 1; sent <= 4; sent++) bare.release('success', { inflightAtSend: sent });
    expect(bare.release('throttled', { inflightAtSend: 5 }).limit).toBe(5);
  });

  test('a refusal of a request granted early but arriving late (a fleet) counts what was served since, not the count at its grant', () => {
    const l = limiter();
    // Processes of a fleet are granted 5 slots in one order; the vendor (which takes 4) sees them
    // in another: the one granted second arrives fifth and is refused. Its refusal is handled
    // after one of the 4 was answered.
    expect(l.full({ op: 'acquire', want: 5 })).toMatchObject({ granted: 5, served: 0 });
    l.release('success', { inflightAtSend: 1, servedAtSend: 0, waiting: 0 });
    // 3 still in flight, 1 served since it got its slot: the vendor was serving 4.
    expect(l.release('throttled', { inflightAtSend: 2, servedAtSend: 0 })).toMatchObject({
      limit: 4,
      inflight: 3,
    });
  });

  test('the first throttle ends slow start: clean completions no longer grow the limit', () => {
    const l = limiter({ initial: 4 });
    l.acquire(4);
    expect(l.release('throttled', { inflightAtSend: 4, waiting: 10 })).toMatchObject({
      limit: 3,
      reason: 'throttle',
    });
    for (let i = 0; i < 50; i++) {
      expect(l.release('success', { waiting: 10 })).toMatchObject({ limit: 3, granted: 1 });
    }
  });

  test('the limit stays within min and max', () => {
    const l = limiter({ initial: 3, min: 2, max: 4 });
    l.acquire(3);
    expect(l.release('success', { waiting: 9 })).toMatchObject({ limit: 4 });
    expect(l.release('success', { waiting: 9 })).toMatchObject({ limit: 4 });
    l.acquire(9);
    for (let i = 0; i < 3; i++) l.release('throttled', { inflightAtSend: 4 });
    expect(l.release('throttled', { inflightAtSend: 4 })).toMatchObject({ limit: 2, inflight: 0 });
  });
});

describe('concurrency limiter: probing', () => {
  test('+1 after probeIntervalMs since the throttle and a full round of clean completions', () => {
    const l = limiter({ initial: 3 });
    l.acquire(3);
    l.release('throttled', { inflightAtSend: 3, waiting: 10 }); // limit 2, at t = 0
    l.acquire();
    // A long clean run, but too soon: no probe.
    for (let i = 0; i < 20; i++) {
      l.at.t = 9_999;
      expect(l.release('success', { waiting: 10 })).toMatchObject({ limit: 2, granted: 1 });
    }
    l.at.t = 10_000;
    expect(l.release('success', { waiting: 10 })).toEqual({
      granted: 2,
      limit: 3,
      previous: 2,
      inflight: 3,
      reason: 'probe',
    });
    // The next probe waits another interval and another full round at 3.
    l.at.t = 19_999;
    for (let i = 0; i < 5; i++) expect(l.release('success', { waiting: 10 }).limit).toBe(3);
    l.at.t = 20_000;
    expect(l.release('success', { waiting: 10 })).toMatchObject({ limit: 4, reason: 'probe' });
  });

  test('a clean run counts only completions that found the limit full', () => {
    const l = limiter({ initial: 3, probeIntervalMs: 0 });
    l.acquire(3);
    l.release('throttled', { inflightAtSend: 3 }); // limit 2, 2 held
    expect(l.release('success').limit).toBe(2); // 2 of 2 held: full, 1 clean
    expect(l.release('success').limit).toBe(2); // 1 of 2 held: not counted
    l.acquire(2);
    expect(l.release('success')).toMatchObject({ limit: 3, reason: 'probe' }); // 2 clean
  });
});

describe('concurrency limiter: latency', () => {
  test('queueing (short average over twice the long one) ends slow start and blocks growth', () => {
    const l = limiter({ initial: 2 });
    l.acquire(2);
    expect(l.release('success', { latencyMs: 20, waiting: 9 })).toMatchObject({ limit: 3 });
    // Latency jumps: the short average passes 2× the long one after a few samples.
    const limits: number[] = [];
    for (let i = 0; i < 12; i++)
      limits.push(l.release('success', { latencyMs: 200, waiting: 9 }).limit);
    // Short 38 vs long 21.8, then short 54.2 vs long 23.6: queueing from the second sample.
    expect(limits).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]);
    // Latency back to normal: slow start is over; growth waits for a probe.
    l.at.t = 5_000;
    for (let i = 0; i < 30; i++) l.release('success', { latencyMs: 20, waiting: 9 });
    expect(l.acquire(0).limit).toBe(4);
    l.at.t = 10_000;
    expect(l.release('success', { latencyMs: 20, waiting: 9 })).toMatchObject({
      limit: 5,
      reason: 'probe',
    });
  });

  test('failures and cancellations are no signal', () => {
    const l = limiter({ initial: 2 });
    l.acquire(2);
    expect(l.release('failure', { latencyMs: 5000, waiting: 9 })).toMatchObject({ limit: 2 });
    expect(l.release('cancelled', { waiting: 9 })).toMatchObject({ limit: 2 });
  });
});

describe('concurrency limiter: a vendor-advertised ceiling', () => {
  test('caps the limit and its growth', () => {
    const l = limiter({ initial: 10 });
    expect(l.step({ op: 'ceiling', max: 4 })).toEqual({
      granted: 0,
      limit: 4,
      previous: 10,
      inflight: 0,
      reason: 'server',
    });
    l.acquire(4);
    expect(l.release('success', { waiting: 9 })).toMatchObject({ limit: 4 });
    expect(l.step({ op: 'ceiling', max: 4 })).not.toHaveProperty('reason');
  });

  test('caps a fixed limit too', () => {
    const l = limiter({ adaptive: false, initial: 8, max: 8 });
    expect(l.step({ op: 'ceiling', max: 3 })).toMatchObject({ limit: 3, reason: 'server' });
  });
});

test('an idle account is forgotten after ttlMs and starts over', () => {
  const l = limiter({ initial: 5, ttlMs: 1000 });
  l.acquire(5);
  l.release('throttled', { inflightAtSend: 5 });
  expect(l.acquire(0).limit).toBe(4);
  l.at.t = 999;
  expect(l.acquire(0).limit).toBe(4);
  l.at.t = 1999;
  expect(l.acquire(0)).toEqual({ granted: 0, limit: 5, previous: 5, inflight: 0 });
});
