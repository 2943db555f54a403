// The Lua scripts are the JavaScript machines ported by hand, so this proves them alike: random
// configs and input sequences (fast-check) go through both, on the caller's clock and without
// leases (the bare step), and every output and every state written must be the same doubles.
import {
  type BreakerConfig,
  type BreakerInput,
  type BudgetConfig,
  type BudgetInput,
  breakerMachine,
  budgetMachine,
  type ConcurrencyConfig,
  type ConcurrencyInput,
  concurrencyMachine,
  type PaceConfig,
  type PaceInput,
  type PaceState,
  paceMachine,
  type StateMachine,
} from '@triage/core';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { breakerConfig, breakerScript } from '../src/scripts/breaker.ts';
import { budgetConfig, budgetScript } from '../src/scripts/budget.ts';
import { concurrencyConfig, concurrencyScript } from '../src/scripts/concurrency.ts';
import { type LuaScript, toLuaJson } from '../src/scripts/lua.ts';
import { paceConfig, paceScript } from '../src/scripts/pace.ts';
import { hasRedisServer, type TestRedis, testRedis } from './support/redis-server.ts';

// CI's shared server when there is one (database 2 is this file's), else a server of its own.
let server: TestRedis;
let redis: Redis;
let runId = 0;

beforeAll(async () => {
  if (!hasRedisServer) return;
  server = await testRedis(2);
  redis = new Redis({ port: server.port, host: server.host, db: server.db, lazyConnect: true });
  await redis.connect();
  await redis.flushdb();
  for (const script of [concurrencyScript, paceScript, budgetScript, breakerScript])
    await redis.script('LOAD', script.source);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

/** One step for both: the time it happens and the input. */
interface Step<I> {
  dt: number;
  input: I;
}

/** Makes a step's input from the state before it (to name a record's own entries), for both. */
type Resolve<S, I> = (input: I, state: S | undefined, now: number) => I;

/**
 * Runs `steps` through the machine as the in-memory store would (a record forgotten once its TTL
 * passed) and through the script, comparing outputs and the state written after every step.
 */
async function compare<S, I, O>(
  machine: StateMachine<S, I, O>,
  script: LuaScript,
  config: object | undefined,
  steps: readonly Step<I>[],
  extraKeys = 0,
  resolve?: Resolve<S, I>,
): Promise<void> {
  expect(config).toBeDefined();
  const key = `eq:{run-${++runId}}:record`;
  const keys = [key, ...Array.from({ length: extraKeys }, (_, i) => `${key}:${i}`)];
  let state: S | undefined;
  let expiresAt = Number.NEGATIVE_INFINITY;
  let now = 1_700_000_000_000;
  for (const step of steps) {
    now += step.dt;
    const current = state !== undefined && expiresAt > now ? state : machine.initial(now);
    const input = resolve === undefined ? step.input : resolve(step.input, current, now);
    const jsInput = structuredClone(input);
    const expected = machine.step(current, jsInput, now);
    state = expected.state;
    expiresAt = now + expected.ttlMs;
    const args = [String(now), '0', toLuaJson(config), toLuaJson(input)];
    if (extraKeys > 0) args.push('', '0', '');
    // One round trip: the step, then the record it wrote.
    const run = () =>
      redis
        .pipeline()
        .evalsha(script.sha, keys.length, ...keys, ...args)
        .hmget(key, 's', 'x')
        .exec();
    let replies = await run();
    // Another file on a shared server may flush the script cache (store.test.ts does): load it
    // again. NOSCRIPT means the step did not run.
    if (String(replies?.[0]?.[0]).includes('NOSCRIPT')) {
      await redis.script('LOAD', script.source);
      replies = await run();
    }
    const [[stepError, raw] = [], [, record] = []] = replies ?? [];
    expect(stepError).toBeNull();
    const [written, expiry] = record as [string, string];
    expect(JSON.parse(String(raw)), `output after ${toLuaJson(input)} at ${now}`).toStrictEqual(
      structuredClone(expected.output),
    );
    expect(JSON.parse(written), `state after ${toLuaJson(input)}`).toStrictEqual(
      structuredClone(state),
    );
    expect(Number(expiry)).toBe(expiresAt);
  }
}

/**
 * Round durations, drawn by both the configs and the time between steps, so that runs land exactly
 * on boundaries (`now === openUntil`, a window's end) where `<` and `<=` part ways.
 */
const round = fc.constantFrom(50, 100, 250, 500, 1000, 2000, 5000);
const duration = (min: number, max: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer({ min, max }),
    round.filter((ms) => ms >= min && ms <= max),
  );

/** Time between steps: mostly short, sometimes past every window and TTL. */
const dt = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 400 }) },
  { weight: 3, arbitrary: round },
  { weight: 2, arbitrary: fc.integer({ min: 400, max: 6000 }) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 120_000 }) },
);
const steps = <I>(input: fc.Arbitrary<I>): fc.Arbitrary<Step<I>[]> =>
  fc.array(fc.record({ dt, input }), { minLength: 1, maxLength: 60 });
const smallDouble = (max: number): fc.Arbitrary<number> =>
  fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true });

const runs = { numRuns: 300 };

/**
 * A `move` of the pacer names an entry of its log: `entry` is an index into it (a name not in it
 * when the log is empty, or one time in five, which must change nothing), `to` an offset from
 * that entry's bound.
 */
const pickEntry: Resolve<PaceState, PaceInput> = (input, state, now) => {
  if (input.op !== 'move') return input;
  const size = state?.log.length ?? 0;
  if (state === undefined || size === 0 || input.entry % 5 === 4)
    return { op: 'move', entry: (state?.seq ?? 0) + 7, to: now + input.to };
  const at = input.entry % size;
  return { op: 'move', entry: state.ids[at]!, to: state.log[at]! + input.to };
};

describe.skipIf(!hasRedisServer)('the Lua scripts decide as the JavaScript machines', () => {
  test('triage.concurrency/2', async () => {
    const config = fc
      .record({
        adaptive: fc.boolean(),
        min: fc.integer({ min: 1, max: 4 }),
        span: fc.integer({ min: 0, max: 30 }),
        initial: fc.integer({ min: 1, max: 20 }),
        probeIntervalMs: duration(0, 3000),
        latencyTolerance: fc.oneof(
          fc.constant(2),
          smallDouble(3).map((x) => 1 + x),
        ),
        ttlMs: duration(5000, 60_000),
      })
      .map(
        ({ span, ...c }): ConcurrencyConfig => ({
          ...c,
          max: c.min + span,
          initial: Math.min(c.min + span, Math.max(c.min, c.initial)),
        }),
      );
    const input: fc.Arbitrary<ConcurrencyInput> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ op: fc.constant('acquire'), want: fc.nat(6) }) },
      {
        weight: 5,
        arbitrary: fc.record(
          {
            op: fc.constant('release'),
            outcome: fc.constantFrom('success', 'throttled', 'failure', 'cancelled'),
            latencyMs: fc.oneof(fc.nat(300), smallDouble(300)),
            inflightAtSend: fc.nat(12),
            servedAtSend: fc.nat(20),
            waiting: fc.nat(6),
            keep: fc.boolean(),
          },
          { requiredKeys: ['op', 'outcome', 'latencyMs', 'inflightAtSend', 'waiting'] },
        ),
      },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('ceiling'), max: fc.nat(25) }) },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant('hold'),
          until: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_020_000 }),
        }),
      },
    ) as fc.Arbitrary<ConcurrencyInput>;
    await fc.assert(
      fc.asyncProperty(config, steps(input), (c, s) =>
        compare(concurrencyMachine(c), concurrencyScript, concurrencyConfig(c), s, 2),
      ),
      runs,
    );
  });

  test('triage.pace/2', async () => {
    const rate = fc.record({
      requests: fc.oneof(
        fc.integer({ min: 1, max: 6 }),
        smallDouble(6).map((x) => 0.5 + x),
      ),
      perMs: fc.oneof(
        fc.integer({ min: 1, max: 2000 }),
        smallDouble(500).map((x) => 1 + x),
      ),
    });
    const config = fc.record({
      rates: fc.array(rate, { maxLength: 2 }),
      margin: fc.oneof(fc.constant(0.01), fc.constant(0), smallDouble(0.2)),
      ttlMs: duration(5000, 60_000),
    }) satisfies fc.Arbitrary<PaceConfig>;
    const input = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          op: fc.constant('take' as const),
          maxWaitMs: fc.oneof(
            fc.constant(Number.POSITIVE_INFINITY),
            fc.integer({ min: 0, max: 4000 }),
          ),
        }),
      },
      {
        weight: 1,
        // `until` is absolute: relative to the run's start, near the steps' times.
        arbitrary: fc.record({
          op: fc.constant('hold' as const),
          until: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_020_000 }),
        }),
      },
      {
        weight: 1,
        // `ifRates`, when present, is a compare-and-set: often it does not match (no change).
        arbitrary: fc.record(
          {
            op: fc.constant('learn' as const),
            rates: fc.array(rate, { maxLength: 2 }),
            ifRates: fc.array(rate, { maxLength: 1 }),
          },
          { requiredKeys: ['op', 'rates'] },
        ),
      },
      {
        weight: 4,
        // `entry` picks an entry of the log (resolved against the state); `to` moves its bound.
        arbitrary: fc.record({
          op: fc.constant('move' as const),
          entry: fc.nat(12),
          to: fc.oneof(fc.integer({ min: -800, max: 3000 }), smallDouble(50)),
        }),
      },
    ) satisfies fc.Arbitrary<PaceInput>;
    await fc.assert(
      fc.asyncProperty(config, steps(input), (c, s) =>
        compare(paceMachine(c), paceScript, paceConfig(c), s, 0, pickEntry),
      ),
      runs,
    );
  });

  test('triage.pace/2 with a quota larger than the ring (scaled down to 10 000 starts)', async () => {
    const c: PaceConfig = {
      rates: [{ requests: 25_000, perMs: 60_000 }],
      margin: 0.01,
      ttlMs: 5000,
    };
    const take: Step<PaceInput> = { dt: 1, input: { op: 'take', maxWaitMs: 10 } };
    await compare(paceMachine(c), paceScript, paceConfig(c), [
      take,
      take,
      { dt: 1, input: { op: 'learn', rates: [{ requests: 3, perMs: 100 }] } },
      take,
      take,
      take,
      take,
    ]);
  });

  test('exact boundaries random runs rarely hit: a probe due to the ms, learned rates ending', async () => {
    const c: ConcurrencyConfig = {
      adaptive: true,
      initial: 2,
      min: 1,
      max: 10,
      probeIntervalMs: 1000,
      latencyTolerance: 2,
      ttlMs: 60_000,
    };
    const success = {
      op: 'release',
      outcome: 'success',
      latencyMs: 20,
      inflightAtSend: 1,
    } as const;
    await compare(
      concurrencyMachine(c),
      concurrencyScript,
      concurrencyConfig(c),
      [
        { dt: 0, input: { op: 'acquire', want: 2 } },
        {
          dt: 0,
          input: {
            op: 'release',
            outcome: 'throttled',
            latencyMs: 5,
            inflightAtSend: 2,
            waiting: 0,
          },
        },
        { dt: 1000, input: { ...success, waiting: 1 } },
      ],
      2,
    );
    const pace: PaceConfig = { rates: [], margin: 0, ttlMs: 5000 };
    const take: PaceInput = { op: 'take', maxWaitMs: Number.POSITIVE_INFINITY };
    await compare(paceMachine(pace), paceScript, paceConfig(pace), [
      { dt: 0, input: { op: 'learn', rates: [{ requests: 1, perMs: 3000 }] } },
      { dt: 0, input: take },
      { dt: 4999, input: take },
      { dt: 1, input: take },
    ]);
  });

  test('triage.budget/1', async () => {
    const config = fc.record({
      capacity: fc.oneof(fc.nat(40), smallDouble(40)),
      retryCost: fc.nat(10),
      timeoutCost: fc.nat(20),
      successRefill: fc.oneof(fc.constant(1), smallDouble(2)),
      ttlMs: duration(5000, 60_000),
    }) satisfies fc.Arbitrary<BudgetConfig>;
    const input = fc.oneof(
      fc.record({
        op: fc.constant('withdraw' as const),
        cost: fc.oneof(fc.nat(10), smallDouble(10)),
      }),
      fc.record({
        op: fc.constant('deposit' as const),
        amount: fc.oneof(fc.integer({ min: -3, max: 10 }), smallDouble(3)),
      }),
    ) satisfies fc.Arbitrary<BudgetInput>;
    await fc.assert(
      fc.asyncProperty(config, steps(input), (c, s) =>
        compare(budgetMachine(c), budgetScript, budgetConfig(c), s),
      ),
      runs,
    );
  });

  test('triage.breaker/1', async () => {
    const config = fc
      .record({
        windowMs: duration(1000, 5000),
        minimumRequests: fc.integer({ min: 1, max: 4 }),
        failureRatio: fc.oneof(fc.constant(0.5), fc.constant(1), smallDouble(1)),
        // Short open periods, so that runs reach half-open, probes and their failures.
        openMs: duration(1, 600),
        extraOpenMs: fc.nat(3000),
        probeTimeoutMs: duration(1, 1500),
        ttlMs: duration(5000, 60_000),
      })
      .map(({ extraOpenMs, ...c }): BreakerConfig => ({ ...c, maxOpenMs: c.openMs + extraOpenMs }));
    const input = fc.oneof(
      { weight: 3, arbitrary: fc.constant({ op: 'admit' as const }) },
      {
        weight: 4,
        arbitrary: fc.record({
          op: fc.constant('record' as const),
          failure: fc.boolean(),
          probe: fc.boolean(),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ op: fc.constant('cancel' as const), probe: fc.boolean() }),
      },
    ) satisfies fc.Arbitrary<BreakerInput>;
    await fc.assert(
      fc.asyncProperty(config, steps(input), (c, s) =>
        compare(breakerMachine(c), breakerScript, breakerConfig(c), s),
      ),
      { numRuns: 500 },
    );
  });

  test('a record another version of the machine wrote starts over, as in memory', async () => {
    const c: BudgetConfig = {
      capacity: 10,
      retryCost: 5,
      timeoutCost: 10,
      successRefill: 1,
      ttlMs: 60_000,
    };
    const key = 'eq:{version}:budget';
    await redis.hset(key, 'm', 'triage.budget/0', 's', '{"tokens":1}', 'x', '1e400');
    const raw = await redis.eval(
      budgetScript.source,
      1,
      key,
      '0',
      '0',
      toLuaJson(budgetConfig(c)),
      toLuaJson({ op: 'withdraw', cost: 5 }),
    );
    expect(JSON.parse(String(raw))).toEqual({ granted: true, tokens: 5 });
    expect(await redis.hget(key, 'm')).toBe('triage.budget/1');
  });
});
