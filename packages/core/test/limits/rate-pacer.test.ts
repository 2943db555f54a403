import {
  createMemoryStore,
  MAX_PACE_LOG,
  type PaceConfig,
  type PaceInput,
  paceMachine,
  type RateSpec,
  type StateKey,
} from '@triage/core';
import { describe, expect, test } from 'vitest';

const key: StateKey = { vendor: 'v', account: 'a', kind: 'pace' };

function pacer(rates: RateSpec[], over: Partial<PaceConfig> = {}) {
  const store = createMemoryStore();
  const machine = paceMachine({ rates, margin: 0, ttlMs: 600_000, ...over });
  const at = { t: 0 };
  const step = (input: PaceInput) => store.apply(key, machine, input, at.t);
  /** Reserves a start at time `t` and returns when it may go. */
  const take = (t: number, maxWaitMs = Number.POSITIVE_INFINITY) => {
    at.t = t;
    return step({ op: 'take', maxWaitMs });
  };
  return { step, take, at };
}

describe('rate pacer: a sliding window log', () => {
  test('CO3: 2 per 1000 ms: two at once, then each one window after the one two before', () => {
    const p = pacer([{ requests: 2, perMs: 1000 }]);
    expect([0, 0, 0, 0, 0].map((t) => p.take(t).at)).toEqual([0, 0, 1000, 1000, 2000]);
    expect(p.take(0)).toEqual({
      at: 2000,
      reserved: true,
      entry: 6,
      bound: 2000,
      reason: 'rate',
      holdUntil: 0,
      changed: false,
    });
    // Later arrivals find the reserved starts and queue behind them, in order.
    expect(p.take(2500).at).toBe(3000);
    expect(p.take(4500).at).toBe(4500);
  });

  test('never more than `requests` starts in any window, whatever the arrival pattern', () => {
    const p = pacer([{ requests: 3, perMs: 100 }]);
    const arrivals = [0, 10, 20, 30, 95, 96, 150, 151, 152, 400, 401, 402, 403, 404];
    const starts = arrivals.map((t) => p.take(t).at);
    expect(starts).toEqual([0, 10, 20, 100, 110, 120, 200, 210, 220, 400, 401, 402, 500, 501]);
    for (let i = 3; i < starts.length; i++)
      expect(starts[i]! - starts[i - 3]!).toBeGreaterThanOrEqual(100);
  });

  test('the margin: a start may reach the vendor up to margin × window after it left', () => {
    const p = pacer([{ requests: 2, perMs: 1000 }], { margin: 0.01 });
    expect([0, 0, 0].map((t) => p.take(t).at)).toEqual([0, 0, 1010]);
  });

  test('several rates are all enforced: 2 per 100 ms and 3 per 1000 ms', () => {
    const p = pacer([
      { requests: 2, perMs: 100 },
      { requests: 3, perMs: 1000 },
    ]);
    expect([0, 0, 0, 0, 0].map((t) => p.take(t).at)).toEqual([0, 0, 100, 1000, 1000]);
  });

  test('one request per interval gives even spacing', () => {
    const p = pacer([{ requests: 1, perMs: 10 }]);
    expect([0, 0, 0, 0].map((t) => p.take(t).at)).toEqual([0, 10, 20, 30]);
  });

  test('a start further away than maxWaitMs is not reserved', () => {
    const p = pacer([{ requests: 1, perMs: 1000 }]);
    p.take(0);
    expect(p.take(0, 999)).toEqual({
      at: 1000,
      reserved: false,
      reason: 'rate',
      holdUntil: 0,
      changed: false,
    });
    expect(p.take(0, 1000)).toMatchObject({ at: 1000, reserved: true });
    // A start that need not wait is granted even with no time left.
    expect(p.take(5000, -1)).toMatchObject({ at: 5000, reserved: true });
    expect(p.take(5000).at).toBe(6000);
  });

  test('without rates nothing waits and nothing is logged', () => {
    const p = pacer([]);
    expect(p.take(0)).toEqual({ at: 0, reserved: true, holdUntil: 0, changed: false });
    expect(p.take(0).at).toBe(0);
  });
});

describe('rate pacer: holds', () => {
  test('a hold delays every start until it ends; only a longer hold extends it', () => {
    const p = pacer([]);
    expect(p.step({ op: 'hold', until: 3000 })).toMatchObject({ changed: true, holdUntil: 3000 });
    expect(p.step({ op: 'hold', until: 2000 })).toMatchObject({ changed: false, holdUntil: 3000 });
    expect(p.take(500)).toEqual({
      at: 3000,
      reserved: true,
      reason: 'hold',
      holdUntil: 3000,
      changed: false,
    });
    expect(p.take(3000).at).toBe(3000);
  });

  test('a hold and a rate together: the later of the two', () => {
    const p = pacer([{ requests: 1, perMs: 1000 }]);
    p.take(0);
    p.step({ op: 'hold', until: 500 });
    expect(p.take(100)).toMatchObject({ at: 1000, reason: 'rate' });
    p.step({ op: 'hold', until: 5000 });
    expect(p.take(100)).toMatchObject({ at: 5000, reason: 'hold' });
  });
});

describe('rate pacer: learned rates', () => {
  test('an advertised rate is enforced beside the configured one until ttlMs passes', () => {
    const p = pacer([{ requests: 10, perMs: 1000 }], { ttlMs: 5000 });
    expect(p.step({ op: 'learn', rates: [{ requests: 2, perMs: 1000 }] })).toMatchObject({
      changed: true,
    });
    expect(p.step({ op: 'learn', rates: [{ requests: 2, perMs: 1000 }] })).toMatchObject({
      changed: false,
    });
    expect([0, 0, 0].map((t) => p.take(t).at)).toEqual([0, 0, 1000]);
    // Expired: only the configured 10 per second applies again.
    expect([5000, 5000, 5000].map((t) => p.take(t).at)).toEqual([5000, 5000, 5000]);
  });

  test('take and learn answer with the learned rates in force and when they were learned', () => {
    const p = pacer([], { ttlMs: 5000 });
    expect(p.take(0)).not.toHaveProperty('learned');
    const rates = [{ requests: 3, perMs: 1000 }];
    p.at.t = 10;
    expect(p.step({ op: 'learn', rates })).toMatchObject({ learned: rates, learnedAt: 10 });
    expect(p.take(20)).toMatchObject({ learned: rates, learnedAt: 10 });
    // Gone with the rates.
    expect(p.take(5010)).not.toHaveProperty('learned');
  });

  test('learn with ifRates writes only over those rates: a compare-and-set', () => {
    const p = pacer([], { ttlMs: 5000 });
    const a = [{ requests: 10, perMs: 1000 }];
    const b = [{ requests: 8, perMs: 1000 }];
    p.step({ op: 'learn', rates: a });
    // Another client cut a to b; a growth computed from a is not written.
    p.step({ op: 'learn', rates: b });
    expect(p.step({ op: 'learn', rates: [{ requests: 11, perMs: 1000 }], ifRates: a })).toEqual({
      at: 0,
      reserved: true,
      holdUntil: 0,
      changed: false,
      learned: b,
      learnedAt: 0,
    });
    // One computed from b is.
    expect(
      p.step({ op: 'learn', rates: [{ requests: 9, perMs: 1000 }], ifRates: b }),
    ).toMatchObject({ changed: true, learned: [{ requests: 9, perMs: 1000 }] });
    // With nothing learned, only ifRates: [] matches.
    const q = pacer([]);
    expect(q.step({ op: 'learn', rates: a, ifRates: b })).toMatchObject({ changed: false });
    expect(q.step({ op: 'learn', rates: a, ifRates: [] })).toMatchObject({ changed: true });
  });

  test('a larger advertised quota grows the log, keeping the most recent starts', () => {
    const p = pacer([{ requests: 2, perMs: 100 }]);
    expect([0, 0, 0].map((t) => p.take(t).at)).toEqual([0, 0, 100]);
    p.step({ op: 'learn', rates: [{ requests: 4, perMs: 10_000 }] });
    expect([100, 100, 100].map((t) => p.take(t).at)).toEqual([100, 200, 10_000]);
  });
});

test('a quota above MAX_PACE_LOG keeps its rate over a proportionally shorter window', () => {
  const p = pacer([{ requests: MAX_PACE_LOG * 2, perMs: 2000 }]);
  for (let i = 0; i < MAX_PACE_LOG; i++) p.take(0);
  expect(p.take(0).at).toBe(1000);
});

test('the record lives as long as its starts, hold and learned rates matter, at least ttlMs', () => {
  const store = createMemoryStore();
  const machine = paceMachine({ rates: [{ requests: 1, perMs: 1000 }], margin: 0, ttlMs: 100 });
  store.apply(key, machine, { op: 'take', maxWaitMs: Number.POSITIVE_INFINITY }, 0);
  store.apply(key, machine, { op: 'take', maxWaitMs: Number.POSITIVE_INFINITY }, 0); // reserved at 1000
  // Kept until the reserved start's window ends (2000), not only ttlMs (100).
  expect(
    store.apply(key, machine, { op: 'take', maxWaitMs: Number.POSITIVE_INFINITY }, 1999).at,
  ).toBe(2000);
});

describe('rate pacer: the log bounds when each start reached the vendor', () => {
  /** The machine stepped directly, so its state can be read. */
  function direct(rates: RateSpec[], margin = 0) {
    const machine = paceMachine({ rates, margin, ttlMs: 600_000 });
    const state = machine.initial(0);
    const step = (input: PaceInput, t: number) => machine.step(state, input, t).output;
    const take = (t: number) => step({ op: 'take', maxWaitMs: Number.POSITIVE_INFINITY }, t);
    const move = (entry: number, to: number, t = 0) => step({ op: 'move', entry, to }, t);
    /** The log from oldest to newest. */
    const log = () => [...state.log.slice(state.head), ...state.log.slice(0, state.head)];
    return { state, step, take, move, log };
  }

  test('a start is logged as its time plus the margin of the shortest window, and named', () => {
    const p = direct(
      [
        { requests: 2, perMs: 1000 },
        { requests: 5, perMs: 10_000 },
      ],
      0.05,
    );
    expect(p.take(0)).toEqual({
      at: 0,
      reserved: true,
      entry: 1,
      bound: 50,
      holdUntil: 0,
      changed: false,
    });
    expect(p.take(0)).toMatchObject({ at: 0, entry: 2, bound: 50 });
    // Two may have reached the vendor by 50: the third waits until 1050.
    expect(p.take(0)).toMatchObject({ at: 1050, entry: 3, bound: 1100, reason: 'rate' });
    expect(p.state.log).toEqual([50, 50, 1100]);
    expect(p.state.ids).toEqual([1, 2, 3]);
  });

  test('a start sent late moves its entry later, and the window after it with it', () => {
    const p = direct([{ requests: 2, perMs: 1000 }]);
    p.take(0);
    p.take(0);
    // The first of them was sent at 700 (its slot came late).
    expect(p.move(1, 700)).toMatchObject({ changed: true });
    expect(p.state.log).toEqual([0, 700]);
    expect(p.state.ids).toEqual([2, 1]);
    expect(p.take(0).at).toBe(1000);
    expect(p.take(0).at).toBe(1700);
  });

  test('an answer sooner than the margin moves the entry back: the next window counts from it', () => {
    const p = direct([{ requests: 1, perMs: 1000 }], 0.1);
    expect(p.take(0).bound).toBe(100);
    // Answered at 20: it reached the vendor by then.
    p.move(1, 20, 20);
    expect(p.take(20).at).toBe(1020);
  });

  test('a move of an entry the log no longer holds changes nothing', () => {
    const p = direct([{ requests: 1, perMs: 1000 }]);
    p.take(0);
    p.take(0);
    // Entry 1 made way for entry 2 (a ring of one).
    expect(p.move(1, 900)).toEqual({
      at: 0,
      reserved: true,
      holdUntil: 0,
      changed: false,
    });
    expect(p.state.log).toEqual([1000]);
  });

  test('entries moved past later starts keep the ring sorted; starts still leave in order', () => {
    const p = direct([{ requests: 3, perMs: 1000 }]);
    for (let i = 0; i < 3; i++) p.take(0);
    p.move(1, 1500);
    // The oldest entry (0) bounds the next start; the new entry sorts below 1500.
    expect(p.take(0).at).toBe(1000);
    expect(p.log()).toEqual([0, 1000, 1500]);
    expect([0, 0, 0].map((t) => p.take(t).at)).toEqual([1000, 2000, 2000]);
    // Never three in a window: 1000, 1000, 1500 (moved), 2000, 2000, then 2500.
    expect(p.take(0).at).toBe(2500);
  });
});
