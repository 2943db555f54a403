import {
  type AttemptOutcome,
  breakerMachine,
  createEngine,
  createMemoryStore,
  http,
  parseRateLimitHeaders,
  type StateKey,
  type StateMachine,
  type StateStore,
  type TriageEvent,
} from '@triage/core';
import { createManualClock } from '@triage/testing';
import { describe, expect, test } from 'vitest';

const counter: StateMachine<{ n: number }, number, number> = {
  name: 'test.counter/1',
  initial: () => ({ n: 0 }),
  step: (state, add) => {
    state.n += add;
    return { state, output: state.n, ttlMs: 100 };
  },
};
const key = (account: string): StateKey => ({ vendor: 'v', account, kind: 'budget' });

describe('the in-memory store', () => {
  test('keeps one record per key until its TTL passes; a different machine starts afresh', () => {
    const store = createMemoryStore();
    expect(store.apply(key('a'), counter, 1, 0)).toBe(1);
    expect(store.apply(key('a'), counter, 1, 99)).toBe(2);
    expect(store.apply({ ...key('a') }, counter, 1, 100)).toBe(3);
    expect(store.apply(key('a'), counter, 1, 200)).toBe(1);
    expect(store.apply(key('b'), counter, 5, 200)).toBe(5);
    const other = { ...counter, name: 'test.other/1' };
    expect(store.apply(key('b'), other, 1, 200)).toBe(1);
    expect(store.size).toBe(2);
    store.clear();
    expect(store.size).toBe(0);
  });

  test('expired records are swept as operations go by', () => {
    const store = createMemoryStore();
    for (let i = 0; i < 100; i++) store.apply(key(`idle-${i}`), counter, 1, 0);
    expect(store.size).toBe(100);
    for (let i = 0; i < 1024; i++) store.apply(key('busy'), counter, 1, 1000);
    expect(store.size).toBe(1);
  });
});

test('circuit breaker: a window two lengths old is dropped, not carried over', () => {
  const store = createMemoryStore();
  const machine = breakerMachine({
    windowMs: 1000,
    minimumRequests: 3,
    failureRatio: 0.5,
    openMs: 100,
    maxOpenMs: 100,
    probeTimeoutMs: 100,
    ttlMs: 60_000,
  });
  const k: StateKey = { vendor: 'v', account: 'a', kind: 'breaker' };
  store.apply(k, machine, { op: 'record', failure: true, probe: false }, 0);
  store.apply(k, machine, { op: 'record', failure: true, probe: false }, 900);
  expect(
    store.apply(k, machine, { op: 'record', failure: true, probe: false }, 2500),
  ).toMatchObject({ state: 'closed', requests: 1 });
});

test('parseRateLimitHeaders: escaped quotes inside a policy name', () => {
  expect(parseRateLimitHeaders({ 'ratelimit-policy': '"a\\",b";q=5;w=1' }, 0)).toEqual({
    rates: [{ requests: 5, perMs: 1000 }],
  });
});

interface Res {
  status: number;
  headers?: Record<string, string>;
}
const ok: Res = { status: 200 };
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const reply = (res: Res): AttemptOutcome<Res> => ({
  response: res,
  input: { status: res.status, body: '', headers: res.headers ?? {} },
});

describe('admission edge cases', () => {
  test('thousands of accounts: idle ones are forgotten, busy ones kept', async () => {
    const engine = createEngine({ vendor: http, limits: { concurrency: 1 } });
    let release!: () => void;
    const held = engine.execute<Res>({
      method: 'GET',
      url: 'https://busy.test/',
      send: () =>
        new Promise((resolve) => {
          release = () => resolve(reply(ok));
        }),
    });
    for (let i = 0; i < 4200; i++)
      await engine.execute({
        method: 'GET',
        url: `https://a${i}.test/`,
        send: async () => reply(ok),
      });
    const queued = engine.execute({
      method: 'GET',
      url: 'https://busy.test/',
      send: async () => reply(ok),
    });
    await flush();
    release();
    await expect(Promise.all([held, queued])).resolves.toEqual([ok, ok]);
  });

  test('a long queue drains in order and its storage is compacted', async () => {
    const engine = createEngine({ vendor: http, limits: { concurrency: 1 } });
    const order: number[] = [];
    const results = Array.from({ length: 1500 }, (_, i) =>
      engine.execute({
        method: 'GET',
        url: 'https://q.test/',
        send: async () => {
          order.push(i);
          await flush();
          return reply(ok);
        },
      }),
    );
    await Promise.all(results);
    expect(order).toEqual(Array.from({ length: 1500 }, (_, i) => i));
  }, 20_000);

  test('an attempt due exactly at the deadline with every slot taken fails without queueing', async () => {
    const clock = createManualClock();
    const engine = createEngine({
      vendor: http,
      clock,
      random: () => 0.5,
      limits: { concurrency: 1, rate: { requests: 1, perMs: 1000 }, rateMargin: 0 },
    });
    // The first request takes the only slot and never answers.
    void engine
      .execute({ method: 'GET', url: 'https://d.test/', send: () => new Promise(() => {}) })
      .catch(() => {});
    let attempts = 0;
    // The second's paced start (1000) is its deadline: then the slot is still taken.
    const outcome = engine
      .execute({
        method: 'GET',
        url: 'https://d.test/',
        retry: { maxElapsedMs: 1000 },
        send: async () => {
          attempts++;
          return reply(ok);
        },
      })
      .catch((e: unknown) => e);
    await flush();
    await clock.advance(1000);
    expect(await outcome).toMatchObject({ giveUpReason: 'deadline', attempts: 0 });
    expect(attempts).toBe(0);
  });

  test('Retry-After: 0 on a throttle holds nothing', async () => {
    const events: TriageEvent[] = [];
    const engine = createEngine({
      vendor: http,
      clock: createManualClock({ autoAdvance: true }),
      onEvent: (e) => events.push(e),
    });
    let n = 0;
    await engine.execute({
      method: 'GET',
      url: 'https://z.test/',
      send: async () => reply(n++ === 0 ? { status: 429, headers: { 'retry-after': '0' } } : ok),
    });
    expect(events.map((e) => e.type)).toEqual(['classified', 'retry', 'recovered']);
  });

  test('a broken store with holds, learned rates and ceilings: requests still go through', async () => {
    const store: StateStore = {
      apply: () => {
        throw new Error('down');
      },
    };
    const engine = createEngine({
      vendor: http,
      clock: createManualClock({ autoAdvance: true }),
      limits: { store, concurrency: 'adaptive' },
    });
    const headers = {
      'retry-after': '1',
      'ratelimit-policy': '"a";q=5;w=1, "c";q=2;qu="concurrent-requests"',
      ratelimit: '"a";r=0;t=1',
    };
    let n = 0;
    await expect(
      engine.execute({
        method: 'GET',
        url: 'https://b.test/',
        send: async () => reply(n++ === 0 ? { status: 429, headers } : { status: 200, headers }),
      }),
    ).resolves.toEqual({ status: 200, headers });
  });

  test('an asynchronous store that grants a slot to a waiter who left gives it back', async () => {
    // A throttle is the release that does not pass its slot straight on: the store decides.
    const memory = createMemoryStore();
    const pending: (() => void)[] = [];
    const store: StateStore = {
      apply: (k, machine, input, now) =>
        new Promise((resolve) => pending.push(() => resolve(memory.apply(k, machine, input, now)))),
    };
    const drain = async (): Promise<void> => {
      while (pending.length > 0) {
        pending.shift()!();
        await flush();
      }
    };
    const clock = createManualClock();
    const engine = createEngine({
      vendor: http,
      clock,
      limits: { store, concurrency: 1, budget: false, breaker: false },
      retry: false,
    });
    let answerA!: () => void;
    const a = engine
      .execute<Res>({
        method: 'GET',
        url: 'https://s.test/',
        send: () =>
          new Promise((resolve) => {
            answerA = () => resolve(reply({ status: 429 }));
          }),
      })
      .catch((e: unknown) => e);
    await flush();
    await drain();
    const controller = new AbortController();
    const b = engine.execute({
      method: 'GET',
      url: 'https://s.test/',
      signal: controller.signal,
      send: async () => reply(ok),
    });
    await flush();
    await drain();
    answerA();
    await flush();
    // The release (waiting: 1) is with the store; b leaves before it answers.
    expect(pending.length).toBeGreaterThan(0);
    controller.abort(new Error('gone'));
    await expect(b).rejects.toThrow('gone');
    await drain();
    expect(await a).toMatchObject({ status: 429 });
    // The slot came back: c goes at once.
    let sentC = false;
    const c = engine.execute({
      method: 'GET',
      url: 'https://s.test/',
      send: async () => {
        sentC = true;
        return reply(ok);
      },
    });
    await flush();
    await drain();
    await drain();
    expect(sentC).toBe(true);
    await drain();
    await expect(c).resolves.toBe(ok);
  });
});

/**
 * The in-memory store behind a counter of breaker admissions. `shared`: every answer comes a turn
 * later, as another process's store (Redis) would answer; otherwise at once.
 */
function countingStore(shared: boolean): { store: StateStore; admits: () => number } {
  const memory = createMemoryStore();
  let admits = 0;
  const store: StateStore = {
    apply(k, machine, input, now) {
      if (k.kind === 'breaker' && (input as { op: string }).op === 'admit') admits++;
      if (!shared) return memory.apply(k, machine, input, now);
      return Promise.resolve().then(() => memory.apply(k, machine, input, now));
    },
  };
  return { store, admits: () => admits };
}

const get = (engine: ReturnType<typeof createEngine>, status = 200): Promise<Res> =>
  engine.execute<Res>({
    method: 'GET',
    url: 'https://s.test/',
    send: async () => reply({ status }),
  });

describe('a shared (asynchronous) store and the circuit breaker', () => {
  test("a closed answer admits without a round trip for 1 s; another process's opening is seen with the next answer", async () => {
    const { store, admits } = countingStore(true);
    const clock = createManualClock();
    const breaker = { windowMs: 60_000, minimumRequests: 2, failureRatio: 0.25, openMs: 5000 };
    const limits = { store, account: 'acct', concurrency: false, budget: false, breaker } as const;
    const a = createEngine({ vendor: http, clock, limits, retry: false });
    const b = createEngine({ vendor: http, clock, limits, retry: false });

    await get(a);
    await flush();
    expect(admits()).toBe(1);
    // The answers said closed: a's next requests go without asking.
    await get(a);
    await flush();
    clock.advance(999);
    await get(a);
    await flush();
    expect(admits()).toBe(1);
    // b's failure opens the shared circuit (1 of 4 requests failed: the ratio is reached)…
    await expect(get(b, 500)).rejects.toMatchObject({ status: 500 });
    await flush();
    expect(admits()).toBe(2);
    // …a, not having heard, sends once more…
    await get(a);
    await flush();
    expect(admits()).toBe(2);
    // …and that request's answer says open: the next one asks, and is refused.
    await expect(get(a)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(admits()).toBe(3);
    // So does b, whose own answer said open.
    await expect(get(b)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(admits()).toBe(4);
  });

  test('a closed answer is trusted for 1 s at most', async () => {
    const { store, admits } = countingStore(true);
    const clock = createManualClock();
    const limits = { store, concurrency: false, budget: false } as const;
    const engine = createEngine({ vendor: http, clock, limits, retry: false });
    await get(engine);
    await flush();
    clock.advance(1000);
    await get(engine);
    await flush();
    await get(engine);
    expect(admits()).toBe(2);
  });

  test('the in-memory store is asked every time (its answers are exact and immediate)', async () => {
    const { store, admits } = countingStore(false);
    const limits = { store, concurrency: false, budget: false } as const;
    const engine = createEngine({ vendor: http, limits, retry: false });
    for (let i = 0; i < 3; i++) await get(engine);
    expect(admits()).toBe(3);
  });
});
