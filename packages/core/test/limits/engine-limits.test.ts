import {
  type AttemptOutcome,
  concurrencyMachine,
  createEngine,
  createMemoryStore,
  DEFAULT_LIMITS,
  defineVendor,
  type EngineRequest,
  http,
  isVendorError,
  type StateStore,
  type TriageEvent,
  type TriageOptions,
  type VendorError,
} from '@triage/core';
import { createManualClock, type ManualClock } from '@triage/testing';
import { describe, expect, test } from 'vitest';

interface Res {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}
const ok: Res = { status: 200, body: '{}' };

/** CO3-like: code 8 is a throttle that must wait 1 s; every error had no effect. */
const co3like = defineVendor({
  name: 'co3like',
  effect: 'none',
  codes: {
    '8': { category: 'retryable', throttle: true, retry: { minDelayMs: 1000 }, reason: 'rate' },
  },
  detect: (view) => {
    const code = (view.json() as { code?: string } | undefined)?.code;
    return code === undefined ? undefined : { code };
  },
  rate: { requests: 2, perMs: 1000 },
});
const busy: Res = { status: 200, body: '{"code":"8"}' };

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const limiterEvents = new Set([
  'limit',
  'rate',
  'hold',
  'wait',
  'admitted',
  'retry-budget',
  'circuit',
]);

function setup(options: Partial<TriageOptions> = {}, clock: ManualClock = createManualClock()) {
  const events: TriageEvent[] = [];
  const engine = createEngine({
    vendor: http,
    clock,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...options,
  });
  /** Every send waits here until the test answers it. */
  const sent: { id: string; answer(res: Res): void }[] = [];
  const request = (id: string, over: Partial<EngineRequest<Res>> = {}): EngineRequest<Res> => ({
    method: 'GET',
    url: 'https://api.test/x',
    send: () =>
      new Promise<AttemptOutcome<Res>>((resolve) => {
        sent.push({
          id,
          answer: (res) =>
            resolve({
              response: res,
              input: { status: res.status, body: res.body ?? '', headers: res.headers ?? {} },
            }),
        });
      }),
    ...over,
  });
  const answer = async (id: string, res: Res = ok): Promise<void> => {
    const index = sent.findIndex((s) => s.id === id);
    if (index === -1) throw new Error(`${id} was not sent`);
    const [entry] = sent.splice(index, 1);
    entry!.answer(res);
    await flush();
  };
  const limiter = () =>
    events
      .filter((e) => limiterEvents.has(e.type))
      .map(({ vendor: _v, request: _r, ...rest }) => rest);
  return { engine, events, clock, sent, request, answer, limiter };
}

/** A request whose attempts answer the script in order (the last step repeats). */
function scripted(steps: Res[], over: Partial<EngineRequest<Res>> = {}) {
  let count = 0;
  const request: EngineRequest<Res> = {
    method: 'GET',
    url: 'https://api.test/x',
    async send(): Promise<AttemptOutcome<Res>> {
      const res = steps[Math.min(count++, steps.length - 1)]!;
      return {
        response: res,
        input: { status: res.status, body: res.body ?? '', headers: res.headers ?? {} },
      };
    },
    ...over,
  };
  return { request, attempts: () => count };
}

async function rejection(promise: Promise<unknown>): Promise<VendorError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  if (!isVendorError(error)) throw error;
  return error;
}

describe('concurrency: a FIFO queue', () => {
  test('a fixed limit of 2: the third and fourth wait, in order, and go as slots free', async () => {
    const { engine, sent, request, answer, clock, limiter } = setup({ limits: { concurrency: 2 } });
    const results = ['a', 'b', 'c', 'd'].map((id) => engine.execute(request(id)));
    await flush();
    expect(sent.map((s) => s.id)).toEqual(['a', 'b']);
    await clock.advance(30);
    await answer('b');
    expect(sent.map((s) => s.id)).toEqual(['a', 'c']);
    await clock.advance(20);
    await answer('a');
    expect(sent.map((s) => s.id)).toEqual(['c', 'd']);
    await answer('c');
    await answer('d');
    await expect(Promise.all(results)).resolves.toEqual([ok, ok, ok, ok]);
    expect(limiter()).toEqual([
      {
        type: 'wait',
        time: 0,
        attempt: 1,
        account: 'https://api.test',
        reason: 'concurrency',
        limit: 2,
        inflight: 2,
        queued: 0,
      },
      {
        type: 'wait',
        time: 0,
        attempt: 1,
        account: 'https://api.test',
        reason: 'concurrency',
        queued: 1,
      },
      { type: 'admitted', time: 30, attempt: 1, account: 'https://api.test', waitedMs: 30 },
      { type: 'admitted', time: 50, attempt: 1, account: 'https://api.test', waitedMs: 50 },
    ]);
    expect(clock.pending).toBe(0);
  });

  test('a queued request aborted by its signal leaves the queue at once; the next takes its place', async () => {
    const { engine, sent, request, answer } = setup({ limits: { concurrency: 1 } });
    const controller = new AbortController();
    const a = engine.execute(request('a'));
    const b = engine.execute(request('b', { signal: controller.signal }));
    const c = engine.execute(request('c'));
    await flush();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(b).rejects.toBe(reason);
    await answer('a');
    expect(sent.map((s) => s.id)).toEqual(['c']);
    await answer('c');
    await expect(Promise.all([a, c])).resolves.toEqual([ok, ok]);
  });

  test('an already aborted signal never queues', async () => {
    const { engine, request } = setup({ limits: { concurrency: 1 } });
    void engine.execute(request('a'));
    await flush();
    const controller = new AbortController();
    controller.abort(new Error('before'));
    await expect(engine.execute(request('b', { signal: controller.signal }))).rejects.toThrow(
      'before',
    );
  });

  test('the deadline bounds the wait: the request fails, never sent, with nothing done', async () => {
    const { engine, sent, request, clock, events } = setup({
      limits: { concurrency: 1 },
      retry: { maxElapsedMs: 1000 },
    });
    const a = rejection(engine.execute(request('a')));
    const b = rejection(engine.execute(request('b')));
    await flush();
    await clock.advance(1000);
    const error = await b;
    expect(error).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      category: 'retryable',
      effect: 'none',
      giveUpReason: 'deadline',
      attempts: 0,
    });
    expect(error.classification.source).toBe('timeout');
    expect(sent.map((s) => s.id)).toEqual(['a']);
    expect(events.at(-1)).toMatchObject({ type: 'give-up', reason: 'deadline', attempt: 1 });
    // The request in flight reached the same deadline.
    expect(await a).toMatchObject({ giveUpReason: 'deadline', attempts: 1, effect: 'unknown' });
  });

  test('each account has its own queue: per client, or per request', async () => {
    const { engine, sent, request } = setup({ limits: { concurrency: 1, account: 'tenant-1' } });
    void engine.execute(request('a'));
    void engine.execute(request('b'));
    void engine.execute(request('c', { limits: { account: 'tenant-2' } }));
    await flush();
    expect(sent.map((s) => s.id)).toEqual(['a', 'c']);
  });

  test('limits: false: no limiter at all', async () => {
    const { engine, sent, request, limiter } = setup({ vendor: co3like, limits: false });
    for (const id of 'abcdefghijklmnopqrst') void engine.execute(request(id));
    await flush();
    expect(sent).toHaveLength(20);
    expect(limiter()).toEqual([]);
  });
});

describe('adaptive concurrency', () => {
  test('throttles with company: the limit falls to what the vendor accepted (exact)', async () => {
    const { engine, sent, request, answer, clock, limiter } = setup({
      vendor: co3like,
      limits: { rate: false },
    });
    const results = Array.from({ length: 12 }, (_, i) => engine.execute(request(`r${i}`)));
    await flush();
    // Slow start begins at 10: ten go out, two queue.
    expect(sent).toHaveLength(10);
    // The vendor takes r0..r3 and rejects r4..r9 at once.
    for (let i = 4; i < 10; i++) await answer(`r${i}`, busy);
    expect(limiter().filter((e) => e.type === 'limit')).toEqual(
      [9, 8, 7, 6, 5, 4].map((limit) => ({
        type: 'limit',
        time: 0,
        attempt: 1,
        account: 'https://api.test',
        limit,
        previous: limit + 1,
        reason: 'throttle',
        inflight: limit,
      })),
    );
    // Four in flight at the limit of 4: the two queued requests still wait.
    expect(sent.map((s) => s.id)).toEqual(['r0', 'r1', 'r2', 'r3']);
    await clock.advance(20);
    await answer('r0');
    await answer('r1');
    expect(sent.map((s) => s.id)).toEqual(['r2', 'r3', 'r10', 'r11']);
    for (const id of ['r2', 'r3', 'r10', 'r11']) await answer(id);
    // The six rejected retry after CO3's 1 s, four at a time.
    await clock.advance(1000);
    expect(sent.map((s) => s.id)).toEqual(['r4', 'r5', 'r6', 'r7']);
    for (const id of ['r4', 'r5', 'r6', 'r7', 'r8', 'r9']) await answer(id);
    await expect(Promise.all(results)).resolves.toHaveLength(12);
  });

  test('a lone throttled request changes nothing and emits nothing but its retry', async () => {
    const { engine, limiter, clock } = setup({ vendor: co3like });
    const { request, attempts } = scripted([busy, busy, ok], { method: 'POST' });
    const pending = engine.execute(request);
    await clock.advance(1000);
    await clock.advance(1010);
    await expect(pending).resolves.toBe(ok);
    expect(attempts()).toBe(3);
    expect(limiter()).toEqual([]);
  });

  test('the code-8 storm: 400 POSTs at concurrency 32 against 4 slots finish at the floor', async () => {
    const clock = createManualClock({ autoAdvance: true });
    const events: TriageEvent[] = [];
    const engine = createEngine({
      vendor: co3like,
      clock,
      random: () => 0.5,
      limits: { rate: false },
      onEvent: (e) => events.push(e),
    });
    let active = 0;
    let rejected = 0;
    const wait = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
    const request: EngineRequest<string> = {
      method: 'POST',
      url: 'https://co3.test/api/crm',
      async send(): Promise<AttemptOutcome<string>> {
        if (active >= 4) {
          rejected++;
          return { response: 'busy', input: { status: 200, body: '{"code":"8"}' } };
        }
        active++;
        await wait(20);
        active--;
        return { response: 'ok', input: { status: 200, body: '{}' } };
      },
    };
    let started = 0;
    const worker = async (): Promise<void> => {
      while (started < 400) {
        started++;
        await engine.execute(request);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    // The floor: ceil(400 / 4) × 20 ms. Six rejections, all in the first round trip.
    expect(clock.now()).toBe(2000);
    expect(rejected).toBe(6);
    expect(events.filter((e) => e.type === 'give-up')).toEqual([]);
    expect(
      events.filter((e) => e.type === 'limit').map((e) => [e.time, e.type === 'limit' && e.limit]),
    ).toEqual([
      [0, 9],
      [0, 8],
      [0, 7],
      [0, 6],
      [0, 5],
      [0, 4],
    ]);
  });
});

describe('pacing', () => {
  test("the profile's rate (2 per 1000 ms): the third request waits for its window and the margin", async () => {
    const { engine, sent, request, answer, clock, limiter } = setup({ vendor: co3like });
    const results = ['a', 'b', 'c'].map((id) => engine.execute(request(id)));
    await flush();
    expect(sent.map((s) => s.id)).toEqual(['a', 'b']);
    // c was paced while a and b were unanswered: they may reach the vendor up to 50 ms after they
    // left (5% of the window), so c waits 1050 ms.
    await answer('a');
    await answer('b');
    await clock.advance(1049);
    expect(sent).toEqual([]);
    await clock.advance(1);
    expect(sent.map((s) => s.id)).toEqual(['c']);
    await answer('c');
    await expect(Promise.all(results)).resolves.toEqual([ok, ok, ok]);
    expect(limiter()).toEqual([
      {
        type: 'wait',
        time: 0,
        attempt: 1,
        account: 'https://api.test',
        reason: 'rate',
        delayMs: 1050,
      },
      { type: 'admitted', time: 1050, attempt: 1, account: 'https://api.test', waitedMs: 1050 },
    ]);
    expect(clock.delays).toEqual([1050]);
  });

  test('a paced start past the deadline fails at once, with the wait, and is not reserved', async () => {
    const { engine, request, answer, clock, sent } = setup({
      limits: { rate: { requests: 1, perMs: 1000 }, rateMargin: 0 },
      retry: { maxElapsedMs: 500 },
    });
    const a = engine.execute(request('a'));
    await flush();
    await answer('a');
    await a;
    expect(await rejection(engine.execute(request('b')))).toMatchObject({
      giveUpReason: 'deadline',
      code: 'DEADLINE_EXCEEDED',
      retryAfterMs: 1000,
      attempts: 0,
    });
    // Not reserved: at 1000 the next one goes at once.
    await clock.advance(1000);
    void engine.execute(request('c'));
    await flush();
    expect(sent.map((s) => s.id)).toEqual(['c']);
  });

  test('abort during a paced wait rejects at once; its reserved start stays taken', async () => {
    const { engine, request, answer, clock, sent } = setup({
      limits: { rate: { requests: 1, perMs: 1000 }, concurrency: 1 },
    });
    const a = engine.execute(request('a'));
    await flush();
    await answer('a');
    await a;
    const controller = new AbortController();
    // a was answered at 0, so it reached the vendor by 0: b may start at 1000.
    const b = engine.execute(request('b', { signal: controller.signal }));
    await flush();
    controller.abort(new Error('stop'));
    await expect(b).rejects.toThrow('stop');
    expect(clock.pending).toBe(0);
    // Its reserved start (1000, logged as 1050 with the margin) stays taken: pacing errs on the
    // safe side.
    await clock.advance(2049);
    void engine.execute(request('c'));
    await flush();
    expect(sent).toEqual([]);
    await clock.advance(1);
    void engine.execute(request('c'));
    await flush();
    expect(sent.map((s) => s.id)).toEqual(['c']);
  });

  test('a request waiting for its paced start holds no slot: a throttle counts only what the vendor serves', async () => {
    const { engine, sent, request, answer, clock, limiter } = setup({ vendor: co3like });
    const results = ['a', 'b', 'c'].map((id) => engine.execute(request(id, { method: 'POST' })));
    await flush();
    // 2 per second: a and b go, c waits for 1050 (the window and the margin) without a slot.
    expect(sent.map((s) => s.id)).toEqual(['a', 'b']);
    await answer('b', busy);
    // b was sent with company and throttled: the limit falls to the one request still at the
    // vendor (a), not to two (a and the waiting c).
    expect(limiter().filter((e) => e.type === 'limit')).toEqual([
      {
        type: 'limit',
        time: 0,
        attempt: 1,
        account: 'https://api.test',
        limit: 1,
        previous: 10,
        reason: 'throttle',
        inflight: 1,
      },
    ]);
    await answer('a');
    // At 1050 c goes, and b's retry (CO3's 1 s, then paced behind c) queues: one slot now.
    await clock.advance(1050);
    expect(sent.map((s) => s.id)).toEqual(['c']);
    await answer('c');
    expect(sent.map((s) => s.id)).toEqual(['b']);
    await answer('b');
    await expect(Promise.all(results)).resolves.toEqual([ok, ok, ok]);
  });

  test('a start sent late (its slot came later) moves its log entry as late', async () => {
    const { engine, sent, request, answer, clock, limiter } = setup({
      limits: { rate: { requests: 1, perMs: 1000 }, rateMargin: 0, concurrency: 1 },
    });
    const a = engine.execute(request('a'));
    // b's start is reserved at 1000, but the only slot stays taken until 1300.
    const b = engine.execute(request('b'));
    await flush();
    await clock.advance(1300);
    await answer('a');
    expect(sent.map((s) => s.id)).toEqual(['b']);
    // b left at 1300, not 1000: c may not start before 2300.
    const c = engine.execute(request('c'));
    await flush();
    await clock.advance(999);
    expect(sent.map((s) => s.id)).toEqual(['b']);
    await answer('b');
    await clock.advance(1);
    expect(sent.map((s) => s.id)).toEqual(['c']);
    await answer('c');
    await expect(Promise.all([a, b, c])).resolves.toEqual([ok, ok, ok]);
    expect(limiter().filter((e) => e.type === 'wait')).toEqual([
      {
        type: 'wait',
        time: 0,
        attempt: 1,
        account: 'https://api.test',
        reason: 'rate',
        delayMs: 1000,
      },
      {
        type: 'wait',
        time: 1000,
        attempt: 1,
        account: 'https://api.test',
        reason: 'concurrency',
        limit: 1,
        inflight: 1,
        queued: 0,
      },
      {
        type: 'wait',
        time: 1300,
        attempt: 1,
        account: 'https://api.test',
        reason: 'rate',
        delayMs: 1000,
      },
    ]);
  });

  test('an answer sooner than the margin proves the arrival: the next window counts from it', async () => {
    const { engine, sent, request, answer, clock, limiter } = setup({
      limits: { rate: { requests: 1, perMs: 1000 }, rateMargin: 0.1 },
    });
    const a = engine.execute(request('a'));
    await flush();
    await clock.advance(30);
    await answer('a');
    await a;
    // Logged as reaching the vendor by 100 (the margin: 10% of the window), a was answered at 30.
    const b = engine.execute(request('b'));
    await flush();
    await clock.advance(999);
    expect(sent).toEqual([]);
    await clock.advance(1);
    expect(sent.map((s) => s.id)).toEqual(['b']);
    // b is not answered: c counts from b's start plus the margin (1030 + 100 + 1000).
    const c = engine.execute(request('c'));
    await flush();
    expect(limiter().filter((e) => e.type === 'wait')).toEqual([
      {
        type: 'wait',
        time: 30,
        attempt: 1,
        account: 'https://api.test',
        reason: 'rate',
        delayMs: 1000,
      },
      {
        type: 'wait',
        time: 1030,
        attempt: 1,
        account: 'https://api.test',
        reason: 'rate',
        delayMs: 1100,
      },
    ]);
    await answer('b');
    await clock.advance(1100);
    await answer('c');
    await expect(Promise.all([b, c])).resolves.toEqual([ok, ok]);
  });
});

describe('holds: Retry-After and RateLimit headers', () => {
  test("a throttle's Retry-After holds the whole account: new requests wait until then", async () => {
    const { engine, request, answer, clock, sent, limiter } = setup();
    const a = engine.execute(request('a'));
    await flush();
    await answer('a', { status: 429, headers: { 'retry-after': '2' } });
    await clock.advance(500);
    const b = engine.execute(request('b'));
    await flush();
    expect(sent).toEqual([]);
    await clock.advance(1500);
    // The retry of a and the new b both start when the hold ends, in that order.
    expect(sent.map((s) => s.id)).toEqual(['a', 'b']);
    await answer('a');
    await answer('b');
    await expect(Promise.all([a, b])).resolves.toEqual([ok, ok]);
    expect(limiter()).toEqual([
      {
        type: 'hold',
        time: 0,
        attempt: 1,
        account: 'https://api.test',
        delayMs: 2000,
        reason: 'retry-after',
      },
      {
        type: 'wait',
        time: 500,
        attempt: 1,
        account: 'https://api.test',
        reason: 'hold',
        delayMs: 1500,
      },
      { type: 'admitted', time: 2000, attempt: 1, account: 'https://api.test', waitedMs: 1500 },
    ]);
  });

  test('holds are capped at maxHoldMs', async () => {
    const { engine, request, answer, limiter } = setup({ limits: { maxHoldMs: 5000 } });
    const a = rejection(engine.execute(request('a')));
    await flush();
    await answer('a', { status: 429, headers: { 'retry-after': '120' } });
    expect(await a).toMatchObject({ giveUpReason: 'retry-after-too-long' });
    expect(limiter()).toMatchObject([{ type: 'hold', delayMs: 5000 }]);
  });

  test('RateLimit-Policy is learned and paced by; RateLimit r=0 holds until its reset', async () => {
    const { engine, request, answer, clock, sent, limiter } = setup({ limits: { rateMargin: 0 } });
    const a = engine.execute(request('a'));
    await flush();
    await answer('a', { status: 200, headers: { 'ratelimit-policy': '"default";q=1;w=2' } });
    await a;
    const b = engine.execute(request('b'));
    await flush();
    // The learned quota counts from the next start on: b goes at once, the one after waits 2 s.
    await answer('b', { status: 200, headers: { ratelimit: '"default";r=0;t=5' } });
    await b;
    void engine.execute(request('c'));
    await flush();
    expect(sent).toEqual([]);
    await clock.advance(5000);
    expect(sent.map((s) => s.id)).toEqual(['c']);
    expect(limiter()).toEqual([
      {
        type: 'rate',
        time: 0,
        attempt: 1,
        account: 'https://api.test',
        rates: [{ requests: 1, perMs: 2000 }],
        source: 'headers',
      },
      {
        type: 'hold',
        time: 0,
        attempt: 1,
        account: 'https://api.test',
        delayMs: 5000,
        reason: 'ratelimit',
      },
      {
        type: 'wait',
        time: 0,
        attempt: 1,
        account: 'https://api.test',
        reason: 'hold',
        delayMs: 5000,
      },
      { type: 'admitted', time: 5000, attempt: 1, account: 'https://api.test', waitedMs: 5000 },
    ]);
  });

  test('rate: false ignores advertised rates but still honours holds; headers: false ignores both', async () => {
    const policy = {
      'ratelimit-policy': '1;w=60',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '3',
    };
    const noRate = setup({ limits: { rate: false } });
    const { request } = scripted([{ status: 200, headers: policy }]);
    await noRate.engine.execute(request);
    expect(noRate.limiter().map((e) => e.type)).toEqual(['hold']);
    const noHeaders = setup({ limits: { headers: false } });
    await noHeaders.engine.execute(scripted([{ status: 200, headers: policy }]).request);
    expect(noHeaders.limiter()).toEqual([]);
  });

  test('a concurrency quota (qu="concurrent-requests") caps the adaptive limit', async () => {
    const { engine, limiter } = setup({ vendor: co3like, limits: { rate: false } });
    await engine.execute(
      scripted([
        { status: 200, headers: { 'ratelimit-policy': '"c";q=3;qu="concurrent-requests"' } },
      ]).request,
    );
    expect(limiter()).toEqual([
      {
        type: 'limit',
        time: 0,
        attempt: 1,
        account: 'https://api.test',
        limit: 3,
        previous: 10,
        reason: 'server',
        // Read before the request gives its slot back, so a slot it hands on knows the quota.
        inflight: 1,
      },
    ]);
  });
});

describe("rate discovery (rate: 'adaptive', the default without a documented rate)", () => {
  const bare: Res = { status: 429 };
  /** A throttle code and no documented rate: adaptive concurrency and rate discovery both on. */
  const busyVendor = defineVendor({
    name: 'busy',
    effect: 'none',
    codes: { '8': { category: 'retryable', throttle: true, reason: 'busy' } },
    detect: (view) => {
      const code = (view.json() as { code?: string } | undefined)?.code;
      return code === undefined ? undefined : { code };
    },
  });

  /** The rate changes (`rate` events: the first rate's requests) and holds, with their times. */
  const rateChanges = (events: TriageEvent[]) =>
    events.flatMap((e) =>
      e.type === 'rate' || e.type === 'hold'
        ? [[e.time, e.type === 'rate' ? e.rates[0]!.requests : e.delayMs]]
        : [],
    );

  /**
   * `clients` engines sharing one store (processes sharing Redis, in effect), `workers` each,
   * reading for 10 s of virtual time from a vendor that accepts 100 calls in any 1 s window and
   * answers the rest with a bare 429.
   */
  async function slidingWindowRun(clients: number, workers: number) {
    const clock = createManualClock({ autoAdvance: true });
    const store = createMemoryStore();
    const events: TriageEvent[] = [];
    const engines = Array.from({ length: clients }, () =>
      createEngine({
        vendor: http,
        clock,
        random: () => 0.5,
        limits: { store },
        onEvent: (e) => events.push(e),
      }),
    );
    // A sliding-window log of accepted calls: no 1 s window ever holds more than 100.
    const accepted: number[] = [];
    const rejected: number[] = [];
    const wait = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
    const request: EngineRequest<Res> = {
      method: 'GET',
      url: 'https://fd.test/v2/Accounts/AC1',
      async send(): Promise<AttemptOutcome<Res>> {
        const now = clock.now();
        const full = accepted.filter((t) => t > now - 1000).length >= 100;
        (full ? rejected : accepted).push(now);
        await wait(1);
        return full
          ? { response: bare, input: { status: 429, body: '', headers: {} } }
          : { response: ok, input: { status: 200, body: '{}', headers: {} } };
      },
    };
    let giveUps = 0;
    const worker = async (engine: (typeof engines)[number]): Promise<void> => {
      while (clock.now() < 10_000) await engine.execute(request).catch(() => giveUps++);
    };
    await Promise.all(
      engines.flatMap((engine) => Array.from({ length: workers }, () => worker(engine))),
    );
    const between = (list: number[], from: number, to: number) =>
      list.filter((t) => t >= from && t < to).length;
    return { events, accepted, rejected, giveUps, between };
  }

  test('a bare 429 after successes paces the account at 95% of them and holds it until they leave the window', async () => {
    const { engine, request, answer, clock, sent, limiter } = setup({ limits: { rateMargin: 0 } });
    for (const id of ['a', 'b', 'c', 'd']) {
      const done = engine.execute(request(id));
      await flush();
      await answer(id);
      await done;
      await clock.advance(100);
    }
    // At 400 ms: four successes in the last second, then a throttle that says nothing else.
    const e = engine.execute(request('e'));
    await flush();
    await answer('e', bare);
    const f = engine.execute(request('f'));
    await flush();
    expect(sent).toEqual([]);
    // 3.8 a second: one start every 263 ms, after the hold (until 1,100 ms, when the success of
    // 0 ms has left the window), in the order they asked: f (at once) first, then e's retry
    // (after its backoff).
    await clock.advance(699);
    expect(sent).toEqual([]);
    await clock.advance(1);
    expect(sent.map((s) => s.id)).toEqual(['f']);
    await answer('f');
    await clock.advance(262);
    expect(sent).toEqual([]);
    await clock.advance(1);
    expect(sent.map((s) => s.id)).toEqual(['e']);
    await answer('e');
    await expect(Promise.all([e, f])).resolves.toEqual([ok, ok]);
    const base = { account: 'https://api.test' };
    expect(limiter()).toEqual([
      {
        type: 'rate',
        time: 400,
        attempt: 1,
        ...base,
        rates: [{ requests: 1, perMs: 263 }],
        source: 'throttles',
      },
      { type: 'hold', time: 400, attempt: 1, ...base, delayMs: 700, reason: 'throttle' },
      { type: 'wait', time: 400, attempt: 1, ...base, reason: 'hold', delayMs: 700 },
      // e's retry, after its 100 ms backoff: paced behind f.
      { type: 'wait', time: 500, attempt: 2, ...base, reason: 'rate', delayMs: 863 },
      { type: 'admitted', time: 1100, attempt: 1, ...base, waitedMs: 700 },
      { type: 'admitted', time: 1363, attempt: 2, ...base, waitedMs: 863 },
    ]);
  });

  test('a vendor of 100 a second with bare 429s, 16 workers for 10 s: rejections only in the first second, no give-ups', async () => {
    const { events, accepted, rejected, giveUps, between } = await slidingWindowRun(1, 16);
    expect(giveUps).toBe(0);
    // The first second: 100 through in the first milliseconds, 16 refused (one per worker).
    expect(between(accepted, 0, 1000)).toBe(100);
    expect(between(rejected, 0, 1000)).toBe(16);
    // The first throttle: 95 a second, after a 1 s hold. Then a second of demand adds 5%, the
    // next 10% (the rate is read back from the pacer's learned rates, in whole requests), and
    // each probe over the vendor's 100 costs a throttle (the one after it, from a start sent
    // before the decrease, is not news) and takes the rate to 95% of what got through in the
    // second before.
    expect(rateChanges(events)).toEqual([
      [7, 95],
      [7, 1000],
      [2009, 99],
      [3010, 108],
      [3318, 93],
      [4424, 97],
      [5425, 106],
      [5789, 89],
      [6895, 93],
      [7896, 102],
      [8582, 94],
      [9688, 98],
    ]);
    // From then on: 6 refused in 9 s (0.7% of attempts), 92% of the vendor's rate.
    expect(rejected.filter((t) => t >= 1000)).toEqual([3317, 3422, 5788, 5893, 8581, 8686]);
    expect(between(accepted, 1000, 10_000)).toBe(827);
  });

  test('two clients sharing a store, 8 workers each: one discovers from its share, both raise the shared rate', async () => {
    const { events, accepted, rejected, giveUps, between } = await slidingWindowRun(2, 8);
    expect(giveUps).toBe(0);
    expect(between(accepted, 0, 1000)).toBe(100);
    expect(between(rejected, 0, 1000)).toBe(16);
    // The first client to be throttled saw half the successes: 49 a second, for the account. The
    // other, throttled in the same millisecond, computed a first rate from its own half too, but
    // a change is written only over the rates it was computed from (none, for a first one): the
    // first stands. Growth doubles (5%, 10%, 20%, 40%) while the rate is waited for. A client that
    // saw only its share of the successes decreases to no less than 80% of the rate.
    expect(rateChanges(events)).toEqual([
      [7, 49],
      [7, 1000],
      [2009, 51],
      [3059, 56],
      [4165, 67],
      [5166, 93],
      [6167, 130],
      [6587, 98],
      [7693, 102],
      [8323, 77],
      [9324, 80],
    ]);
    expect(rejected.filter((t) => t >= 1000)).toEqual([6586, 6586, 6691, 6691, 6691, 8322, 8322]);
    // 70% of the vendor's rate over seconds 1–10 (the single client: 92%).
    expect(between(accepted, 1000, 10_000)).toBe(634);
  });

  test('a discovered rate paces every client of the store: another client waits for it', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const one = setup({ limits: { store, rateMargin: 0 } }, clock);
    const two = setup({ limits: { store, rateMargin: 0 } }, clock);
    for (const id of ['a', 'b']) {
      const done = one.engine.execute(one.request(id));
      await flush();
      await one.answer(id);
      await done;
    }
    const c = one.engine.execute(one.request('c'));
    await flush();
    await one.answer('c', bare);
    // 1.9 a second: the other client's request waits out the hold, then goes; the next one
    // after it waits 526 ms more.
    const d = two.engine.execute(two.request('d'));
    const e = two.engine.execute(two.request('e'));
    await flush();
    expect(two.sent).toEqual([]);
    await clock.advance(1000);
    expect(two.sent.map((s) => s.id)).toEqual(['d']);
    await two.answer('d');
    await clock.advance(525);
    expect(two.sent).toEqual([]);
    await clock.advance(1);
    expect(two.sent.map((s) => s.id)).toEqual(['e']);
    await two.answer('e');
    await expect(Promise.all([d, e])).resolves.toEqual([ok, ok]);
    // c's retry, paced behind them.
    await clock.advance(526);
    await one.answer('c');
    await expect(c).resolves.toEqual(ok);
    expect(two.limiter().map((e) => [e.type, e.time, 'reason' in e && e.reason])).toEqual([
      ['wait', 0, 'hold'],
      ['wait', 0, 'rate'],
      ['admitted', 1000, false],
      ['admitted', 1526, false],
    ]);
  });

  test('no discovery from a first throttle, a Retry-After, RateLimit headers, rate: false or a throttle among others in flight', async () => {
    // A throttle with nothing through in the last second: its own backoff answers it.
    const first = setup({}, createManualClock({ autoAdvance: true }));
    await first.engine.execute(scripted([{ status: 429 }, ok]).request);
    expect(first.limiter()).toEqual([]);
    const after = async (options: Partial<TriageOptions>, throttle: Res) => {
      const t = setup(options, createManualClock({ autoAdvance: true }));
      await t.engine.execute(scripted([ok]).request);
      await t.engine.execute(scripted([throttle, ok]).request);
      return t
        .limiter()
        .map((e) => `${e.type}:${'reason' in e ? e.reason : 'source' in e ? e.source : ''}`);
    };
    expect(await after({}, { status: 429 })).toEqual([
      'rate:throttles',
      'hold:throttle',
      'wait:hold',
      'admitted:',
    ]);
    // The retry waits for the Retry-After itself: the hold makes it no later.
    expect(await after({}, { status: 429, headers: { 'retry-after': '1' } })).toEqual([
      'hold:retry-after',
    ]);
    expect(
      await after(
        {},
        { status: 429, headers: { 'ratelimit-policy': '"q";q=10;w=1', ratelimit: '"q";r=0;t=1' } },
      ),
    ).toEqual(['rate:headers', 'hold:ratelimit', 'wait:hold', 'admitted:']);
    expect(await after({ limits: { rate: false } }, { status: 429 })).toEqual([]);
    expect(
      await after({ limits: { rate: { requests: 50, perMs: 1000 } } }, { status: 429 }),
    ).toEqual([]);
    // Adaptive concurrency answers a throttle of a request sent while another was in flight...
    const crowd = setup({ vendor: busyVendor });
    const a = crowd.engine.execute(crowd.request('a'));
    const b = crowd.engine.execute(crowd.request('b'));
    await flush();
    await crowd.answer('a');
    await a;
    await crowd.answer('b', busy);
    expect(crowd.limiter().map((e) => e.type)).toEqual(['limit']);
    // ...while one sent alone is surely about the rate.
    await crowd.clock.next();
    await crowd.answer('b', busy);
    expect(crowd.limiter().map((e) => e.type)).toEqual(['limit', 'rate', 'hold']);
    while (crowd.sent.length === 0) await crowd.clock.next();
    await crowd.answer('b');
    await expect(b).resolves.toEqual(ok);
  });
});

describe('retry budget', () => {
  test('retries draw 5 tokens each; an empty budget gives up with retry-budget-exhausted', async () => {
    const { engine, events, limiter } = setup(
      {
        limits: { budget: { capacity: 10 } },
        retry: { retries: 5, minDelayMs: 0 },
      },
      createManualClock({ autoAdvance: true }),
    );
    const first = scripted([{ status: 503 }]);
    const error = await rejection(engine.execute(first.request));
    expect(error).toMatchObject({
      giveUpReason: 'retry-budget-exhausted',
      attempts: 3,
      status: 503,
    });
    expect(
      events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.budgetTokens),
    ).toEqual([5, 0]);
    expect(limiter()).toEqual([
      {
        type: 'retry-budget',
        time: 0,
        attempt: 3,
        account: 'https://api.test',
        decision: 'exhausted',
        tokens: 0,
        cost: 5,
      },
    ]);
    // Nothing left: the next failure is not retried at all; first attempts still go out.
    const second = scripted([{ status: 503 }, ok]);
    expect(await rejection(engine.execute(second.request))).toMatchObject({
      giveUpReason: 'retry-budget-exhausted',
      attempts: 1,
    });
    // Successes refill: 5 of them buy one retry.
    for (let i = 0; i < 5; i++) await engine.execute(scripted([ok]).request);
    const third = scripted([{ status: 503 }, ok]);
    await expect(engine.execute(third.request)).resolves.toBe(ok);
    // A success after a retry gives its cost back: another retry is possible at once.
    await expect(engine.execute(scripted([{ status: 503 }, ok]).request)).resolves.toBe(ok);
  });

  test('a retry after a timeout costs 10', async () => {
    const clock = createManualClock({ autoAdvance: true });
    const { engine, events } = setup(
      {
        limits: { budget: { capacity: 10 } },
        retry: { retries: 3, attemptTimeoutMs: 100, minDelayMs: 0 },
      },
      clock,
    );
    let calls = 0;
    const hanging: EngineRequest<Res> = {
      method: 'GET',
      url: 'https://api.test/x',
      send: () => {
        calls++;
        return new Promise(() => {});
      },
    };
    expect(await rejection(engine.execute(hanging))).toMatchObject({
      giveUpReason: 'retry-budget-exhausted',
      attempts: 2,
    });
    expect(calls).toBe(2);
    expect(
      events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.budgetTokens),
    ).toEqual([0]);
  });

  test('the auth refresh retry never uses the budget', async () => {
    let token = 'old';
    const { engine } = setup({
      limits: { budget: { capacity: 0 } },
      auth: {
        refresh: async () => {
          token = 'new';
        },
        apply: (r) => r.headers.set('authorization', token),
      },
    });
    let seen = '';
    const request: EngineRequest<Res> = {
      method: 'POST',
      url: 'https://api.test/x',
      async send(r) {
        seen = r.headers.get('authorization') ?? '';
        const res = seen === 'new' ? ok : { status: 401 };
        return { response: res, input: { status: res.status, body: '' } };
      },
    };
    await expect(engine.execute(request)).resolves.toBe(ok);
    expect(seen).toBe('new');
  });
});

describe('circuit breaker', () => {
  const breaker = { windowMs: 1000, minimumRequests: 4, openMs: 500 };

  test('sustained 5xx opens it; requests then fail fast without being sent; a probe closes it', async () => {
    const { engine, clock, limiter, events } = setup({ limits: { breaker }, retry: false });
    for (let i = 0; i < 4; i++)
      await rejection(engine.execute(scripted([{ status: 500 }]).request));
    expect(limiter()).toEqual([
      {
        type: 'circuit',
        time: 0,
        attempt: 1,
        account: 'https://api.test',
        decision: 'opened',
        state: 'open',
        failureRatio: 0,
        requests: 0,
        retryAfterMs: 500,
      },
    ]);
    await clock.advance(100);
    const fast = scripted([ok]);
    const error = await rejection(engine.execute(fast.request));
    expect(fast.attempts()).toBe(0);
    expect(error).toMatchObject({
      giveUpReason: 'circuit-open',
      code: 'CIRCUIT_OPEN',
      category: 'retryable',
      effect: 'none',
      retryAfterMs: 400,
      attempts: 0,
    });
    expect(error.classification.source).toBe('limiter');
    expect(error.cause).toBeUndefined();
    expect(events.slice(-2).map((e) => e.type)).toEqual(['circuit', 'give-up']);
    await clock.advance(400);
    await expect(engine.execute(scripted([ok]).request)).resolves.toBe(ok);
    expect(limiter().slice(-3)).toEqual([
      {
        type: 'circuit',
        time: 100,
        attempt: 1,
        account: 'https://api.test',
        decision: 'rejected',
        state: 'open',
        failureRatio: 0,
        requests: 0,
        retryAfterMs: 400,
      },
      {
        type: 'circuit',
        time: 500,
        attempt: 1,
        account: 'https://api.test',
        decision: 'half-open',
        state: 'half-open',
        failureRatio: 0,
        requests: 0,
      },
      {
        type: 'circuit',
        time: 500,
        attempt: 1,
        account: 'https://api.test',
        decision: 'closed',
        state: 'closed',
        failureRatio: 0,
        requests: 0,
      },
    ]);
  });

  test('a retry that meets an open circuit gives up with the failure before it as cause', async () => {
    const { engine } = setup(
      { limits: { breaker: { ...breaker, minimumRequests: 2 } } },
      createManualClock({ autoAdvance: true }),
    );
    await rejection(engine.execute(scripted([{ status: 501 }]).request));
    const second = scripted([{ status: 503 }, ok]);
    const error = await rejection(engine.execute(second.request));
    expect(second.attempts()).toBe(1);
    expect(error).toMatchObject({ giveUpReason: 'circuit-open', attempts: 1 });
    expect(error.cause).toMatchObject({ status: 503 });
  });

  test('throttles, validation and auth failures do not count; breaker: false turns it off', async () => {
    const { engine, limiter } = setup({ limits: { breaker }, retry: false });
    for (const status of [429, 400, 401, 403, 429, 400])
      await rejection(engine.execute(scripted([{ status }]).request));
    expect(limiter().filter((e) => e.type === 'circuit')).toEqual([]);
    const off = setup({ limits: { breaker: false }, retry: false });
    for (let i = 0; i < 30; i++)
      await rejection(off.engine.execute(scripted([{ status: 500 }]).request));
    expect(off.limiter()).toEqual([]);
  });

  test('a probe aborted by its caller lets the next request probe', async () => {
    const { engine, clock, request, limiter } = setup({ limits: { breaker }, retry: false });
    for (let i = 0; i < 4; i++)
      await rejection(engine.execute(scripted([{ status: 500 }]).request));
    await clock.advance(500);
    const controller = new AbortController();
    const probe = engine.execute(request('p', { signal: controller.signal }));
    await flush();
    controller.abort(new Error('bye'));
    await expect(probe).rejects.toThrow('bye');
    await expect(engine.execute(scripted([ok]).request)).resolves.toBe(ok);
    expect(limiter().map((e) => e.type === 'circuit' && e.decision)).toEqual([
      'opened',
      'half-open',
      'half-open',
      'closed',
    ]);
  });
});

describe('stores', () => {
  test('a client waiting for slots others hold asks the store 5, 10, 20 and 40 ms apart, then every pollMs', async () => {
    const memory = createMemoryStore();
    const clock = createManualClock();
    const asked: number[] = [];
    const store: StateStore = {
      apply: (key, machine, input, now) => {
        if (key.kind === 'concurrency' && (input as { op: string }).op === 'acquire')
          asked.push(now);
        return memory.apply(key, machine, input, now);
      },
    };
    const one = setup({ limits: { concurrency: 1, store, rate: false } }, clock);
    const two = setup({ limits: { concurrency: 1, store, rate: false, pollMs: 50 } }, clock);
    const a = one.engine.execute(one.request('a'));
    await flush();
    const b = two.engine.execute(two.request('b'));
    await flush();
    await clock.advance(174);
    expect(two.sent).toEqual([]);
    // one's acquire at 0 and two's at 0 (refused), then two's polls.
    expect(asked).toEqual([0, 0, 5, 15, 35, 75, 125]);
    await one.answer('a');
    await a;
    await clock.advance(1);
    // The poll at 175 finds the slot; the next wait starts from 5 ms again.
    expect(asked.at(-1)).toBe(175);
    expect(two.sent.map((s) => s.id)).toEqual(['b']);
    const c = two.engine.execute(two.request('c'));
    await flush();
    // c queues behind b's slot, which two holds: no poll (b's release wakes it).
    await clock.advance(100);
    expect(asked.at(-1)).toBe(175);
    await two.answer('b');
    expect(two.sent.map((s) => s.id)).toEqual(['c']);
    await two.answer('c');
    await expect(Promise.all([b, c])).resolves.toEqual([ok, ok]);
    const d = one.engine.execute(one.request('d'));
    const e = two.engine.execute(two.request('e'));
    await flush();
    const before = asked.length;
    await clock.advance(5);
    expect(asked.slice(before)).toEqual([280]);
    await one.answer('d');
    await clock.advance(10);
    expect(asked.slice(before)).toEqual([280, 290]);
    expect(two.sent.map((s) => s.id)).toEqual(['e']);
    await two.answer('e');
    await expect(Promise.all([d, e])).resolves.toEqual([ok, ok]);
  });

  test('a client told it waits below its fair share asks the store again, though it holds a slot', async () => {
    const memory = createMemoryStore();
    const clock = createManualClock();
    let below = false;
    const asked: number[] = [];
    const store: StateStore = {
      apply: (key, machine, input, now) => {
        const out = memory.apply(key, machine, input, now) as { belowShare?: boolean };
        if (key.kind !== 'concurrency') return out as never;
        if ((input as { op: string }).op === 'acquire') asked.push(now);
        return (below ? { ...out, belowShare: true } : out) as never;
      },
    };
    const { engine, sent, request, answer } = setup(
      { limits: { concurrency: 1, store, rate: false } },
      clock,
    );
    const a = engine.execute(request('a'));
    await flush();
    const b = engine.execute(request('b'));
    await flush();
    // a holds the one slot; b, refused, waits for it: a's release wakes b, nobody polls.
    await clock.advance(100);
    expect(asked).toEqual([0, 0]);
    // The store's next answer says this client waits below its share: it asks again, 5 ms on.
    below = true;
    const c = engine.execute(request('c'));
    await flush();
    expect(asked).toEqual([0, 0]);
    await answer('a');
    expect(sent.map((s) => s.id)).toEqual(['b']);
    // The answer to a's release said so; the poll's answer will not.
    below = false;
    await clock.advance(5);
    expect(asked).toEqual([0, 0, 105]);
    await clock.advance(100);
    expect(asked).toEqual([0, 0, 105]);
    await answer('b');
    await answer('c');
    await expect(Promise.all([a, b, c])).resolves.toEqual([ok, ok, ok]);
  });

  test('while another client waits with no slot, a client gives a slot back after a turn of 1 s', async () => {
    const memory = createMemoryStore();
    const clock = createManualClock();
    let starving = false;
    const releases: { at: number; keep: boolean }[] = [];
    const store: StateStore = {
      apply: (key, machine, input, now) => {
        const out = memory.apply(key, machine, input, now) as object;
        if (key.kind !== 'concurrency') return out as never;
        const op = input as { op: string; keep?: boolean };
        if (op.op === 'release') releases.push({ at: now, keep: op.keep === true });
        return (starving ? { ...out, starving: true } : out) as never;
      },
    };
    const { engine, sent, request, answer } = setup(
      { limits: { concurrency: 1, store, rate: false } },
      clock,
    );
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const results = ids.map((id) => engine.execute(request(id)));
    await flush();
    // The turn began at 0, with a's slot. Another client waits with none from now on.
    starving = true;
    await clock.advance(400);
    await answer('a');
    await clock.advance(500);
    await answer('b');
    // 900 ms into the turn: the slot still passes to this client's queue.
    expect(releases.map((r) => r.keep)).toEqual([true, true]);
    await clock.advance(100);
    await answer('c');
    // 1000 ms: c's slot goes back to the store (this one, memory, grants it to d at once), and
    // the next turn begins.
    expect(releases.at(-1)).toEqual({ at: 1000, keep: false });
    expect(sent.map((s) => s.id)).toEqual(['d']);
    await clock.advance(999);
    await answer('d');
    expect(releases.at(-1)).toEqual({ at: 1999, keep: true });
    starving = false;
    await answer('e');
    await expect(Promise.all(results)).resolves.toEqual(ids.map(() => ok));
  });

  test("a shared store's fair share: above it, a slot goes back to the store, not to this client's queue", async () => {
    const memory = createMemoryStore();
    const clock = createManualClock();
    /** Set while another client waits with fewer slots than its share. */
    let share: number | undefined;
    const releases: unknown[] = [];
    const store: StateStore = {
      apply: (key, machine, input, now) => {
        const out = memory.apply(key, machine, input, now) as { share?: number };
        if (key.kind !== 'concurrency') return out as never;
        if ((input as { op: string }).op === 'release') releases.push(input);
        return (share === undefined ? out : { ...out, share }) as never;
      },
    };
    const { engine, sent, request, answer } = setup(
      { limits: { concurrency: 2, store, rate: false } },
      clock,
    );
    const results = ['a', 'b', 'c', 'd', 'e'].map((id) => engine.execute(request(id)));
    await flush();
    expect(sent.map((s) => s.id)).toEqual(['a', 'b']);
    // Without a share, a's slot passes straight to c.
    await answer('a');
    expect(sent.map((s) => s.id)).toEqual(['b', 'c']);
    expect(releases.at(-1)).toMatchObject({ op: 'release', keep: true, waiting: 3 });
    // Another client now waits with no slot: this one's share is 1, and it holds 2.
    share = 1;
    await answer('b');
    // b's slot was passed on before the store's answer told of the share: d goes.
    expect(sent.map((s) => s.id)).toEqual(['c', 'd']);
    expect(releases.at(-1)).toMatchObject({ op: 'release', keep: true, waiting: 2 });
    await answer('c');
    // Above the share, c's slot goes back to the store with e still waiting; a shared store would
    // keep it for the other client. This one (memory, no other client) grants it back to e.
    expect(releases.at(-1)).toEqual(expect.objectContaining({ op: 'release', waiting: 1 }));
    expect(releases.at(-1)).not.toHaveProperty('keep');
    expect(sent.map((s) => s.id)).toEqual(['d', 'e']);
    share = undefined;
    await answer('d');
    await answer('e');
    await expect(Promise.all(results)).resolves.toEqual([ok, ok, ok, ok, ok]);
  });

  test('one store shared by two clients: they share the account; the second polls for a slot', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const one = setup({ limits: { concurrency: 1, store } }, clock);
    const two = setup({ limits: { concurrency: 1, store, pollMs: 25 } }, clock);
    const a = one.engine.execute(one.request('a'));
    const b = two.engine.execute(two.request('b'));
    await flush();
    expect(two.sent).toEqual([]);
    await one.answer('a');
    await a;
    expect(two.sent).toEqual([]);
    await clock.advance(25);
    expect(two.sent.map((s) => s.id)).toEqual(['b']);
    await two.answer('b');
    await expect(b).resolves.toBe(ok);
    expect(clock.pending).toBe(0);
  });

  test('an asynchronous store (a shared store over the network) gives the same decisions', async () => {
    const memory = createMemoryStore();
    const store: StateStore = {
      apply: (key, machine, input, now) => Promise.resolve(memory.apply(key, machine, input, now)),
    };
    const { engine, sent, request, answer, clock, limiter } = setup({
      vendor: co3like,
      limits: { store, concurrency: 1, budget: { capacity: 5 } },
    });
    const results = ['a', 'b', 'c'].map((id) => engine.execute(request(id, { method: 'POST' })));
    await flush();
    expect(sent.map((s) => s.id)).toEqual(['a']);
    await answer('a', busy);
    await answer('b');
    await clock.advance(1050);
    expect(sent.map((s) => s.id)).toEqual(['c']);
    await answer('c');
    expect(sent.map((s) => s.id)).toEqual(['a']);
    await answer('a');
    await expect(Promise.all(results)).resolves.toEqual([ok, ok, ok]);
    // c waits for its paced start (1050) without a slot; b, paced at once, queues for the slot
    // (its store call comes one round later). a's retry is paced behind c (starts leave in
    // order), then queues for the slot c took first, which c passes on when it is answered.
    expect(limiter().map((e) => [e.type, e.time, e.attempt, 'reason' in e && e.reason])).toEqual([
      ['wait', 0, 1, 'rate'],
      ['wait', 0, 1, 'concurrency'],
      ['admitted', 0, 1, false],
      ['wait', 1000, 2, 'rate'],
      ['admitted', 1050, 1, false],
      ['wait', 1050, 2, 'concurrency'],
      ['admitted', 1050, 2, false],
    ]);
  });

  test('a released slot passes straight to the next queued request: no store round trip between', async () => {
    const memory = createMemoryStore();
    const pending: (() => void)[] = [];
    // A store over the network whose answers arrive only when the test lets them.
    const store: StateStore = {
      apply: (key, machine, input, now) =>
        new Promise((resolve) =>
          pending.push(() => resolve(memory.apply(key, machine, input, now))),
        ),
    };
    const drain = async (): Promise<void> => {
      while (pending.length > 0) {
        pending.shift()!();
        await flush();
      }
    };
    const { engine, sent, request, answer } = setup({
      limits: { store, concurrency: 1, rate: false, budget: false, breaker: false },
    });
    const a = engine.execute(request('a'));
    const b = engine.execute(request('b'));
    await flush();
    await drain();
    expect(sent.map((s) => s.id)).toEqual(['a']);
    await answer('a');
    // b is sent with the release still unanswered.
    expect(sent.map((s) => s.id)).toEqual(['b']);
    expect(pending).toHaveLength(1);
    await drain();
    await answer('b');
    await drain();
    await expect(Promise.all([a, b])).resolves.toEqual([ok, ok]);
    // The store counted the slot throughout: one in flight, then none.
    const slots = memory.apply(
      { vendor: 'http', account: 'https://api.test', kind: 'concurrency' },
      concurrencyMachine({
        adaptive: false,
        initial: 1,
        min: 1,
        max: 1,
        probeIntervalMs: 0,
        latencyTolerance: 1,
        ttlMs: DEFAULT_LIMITS.stateTtlMs,
      }),
      { op: 'acquire', want: 0 },
      0,
    );
    expect(slots.inflight).toBe(0);
  });

  test("a hold another client of the store set reaches this one's queued request with its slot", async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const limits = { store, concurrency: 1, rate: false as const, pollMs: 50 };
    const one = setup({ limits }, clock);
    const two = setup({ limits }, clock);
    const a = one.engine.execute(one.request('a'));
    const b = two.engine.execute(two.request('b'));
    await flush();
    expect(two.sent).toEqual([]);
    // a is refused with Retry-After: 2; one holds the account until 2000.
    await one.answer('a', { status: 429, headers: { 'retry-after': '2' } });
    // two's first poll (5 ms into its wait) finds the slot free, but the slot carries the hold: b
    // waits for 2000.
    await clock.advance(5);
    expect(two.sent).toEqual([]);
    expect(two.limiter()).toMatchObject([
      { type: 'wait', time: 0, reason: 'concurrency' },
      { type: 'wait', time: 5, reason: 'hold', delayMs: 1995 },
    ]);
    await clock.advance(1995);
    expect(two.sent.map((s) => s.id)).toEqual(['b']);
    // a's retry (at 2000 too) queues behind b for the one slot.
    expect(one.sent).toEqual([]);
    await two.answer('b');
    await expect(b).resolves.toBe(ok);
    await clock.advance(50);
    await one.answer('a');
    await expect(a).resolves.toBe(ok);
  });

  test('with no rate to pace by (rate: false), an attempt makes no pacer call', async () => {
    const memory = createMemoryStore();
    const kinds: string[] = [];
    const releases: unknown[] = [];
    const store: StateStore = {
      apply: (key, machine, input, now) => {
        kinds.push(key.kind);
        if ((input as { op?: string }).op === 'release') releases.push(input);
        return memory.apply(key, machine, input, now);
      },
    };
    const { engine } = setup({ vendor: co3like, limits: { store, rate: false } });
    await engine.execute(scripted([ok]).request);
    expect(kinds).toEqual(['breaker', 'concurrency', 'concurrency', 'breaker', 'budget']);
    // Each release carries what the limiter had served when its attempt got the slot.
    await engine.execute(scripted([ok]).request);
    expect(releases).toMatchObject([
      { outcome: 'success', inflightAtSend: 1, servedAtSend: 0 },
      { outcome: 'success', inflightAtSend: 1, servedAtSend: 1 },
    ]);
    kinds.length = 0;
    // With a rate, the pacer is asked first, and the answer (at once, before the margin) moves
    // the start's log entry to it.
    const paced = setup({ vendor: co3like, limits: { store } });
    await paced.engine.execute(scripted([ok]).request);
    expect(kinds).toEqual([
      'breaker',
      'pace',
      'concurrency',
      'pace',
      'concurrency',
      'breaker',
      'budget',
    ]);
  });

  test('a store that fails never blocks a request', async () => {
    const broken: StateStore = {
      apply: () => {
        throw new Error('redis down');
      },
    };
    const rejecting: StateStore = { apply: () => Promise.reject(new Error('redis down')) };
    for (const store of [broken, rejecting]) {
      const { engine } = setup(
        { vendor: co3like, limits: { store } },
        createManualClock({ autoAdvance: true }),
      );
      await expect(engine.execute(scripted([busy, ok], { method: 'POST' }).request)).resolves.toBe(
        ok,
      );
      await expect(
        Promise.all([1, 2, 3].map(() => engine.execute(scripted([ok]).request))),
      ).resolves.toEqual([ok, ok, ok]);
    }
  });
});

describe('the success path', () => {
  test('with every default on, a success emits nothing and arms no timer', async () => {
    const { engine, clock, events } = setup({ vendor: co3like });
    await expect(engine.execute(scripted([ok]).request)).resolves.toBe(ok);
    expect(events).toEqual([]);
    expect(clock.delays).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  test('admission is synchronous when a slot is free: the attempt is sent in the same tick', async () => {
    const { engine, sent, request } = setup({ vendor: co3like });
    void engine.execute(request('a'));
    await Promise.resolve();
    expect(sent.map((s) => s.id)).toEqual(['a']);
  });
});
