// The store against a real redis-server: shared limits between "processes" (stores with their own
// connections and lease ids), leases, server time, the key layout, and the paths to the fallback.
import {
  type BudgetConfig,
  budgetMachine,
  type ConcurrencyOutput,
  createMemoryStore,
  type PaceConfig,
  paceMachine,
  type StateMachine,
} from '@triage/core';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRedisStore, type RedisStore, type RedisStoreOptions } from '../src/index.ts';
import {
  connect,
  type Gauge,
  key,
  ready,
  recorder,
  release,
  sleep,
  slots,
  worker,
} from './support/clients.ts';
import { hasRedisServer, type TestRedis, testRedis } from './support/redis-server.ts';

// CI's shared server when there is one (database 1 is this file's), else a server of its own.
let server: TestRedis;
let admin: Redis;
const opened: { redis: Redis; store: RedisStore }[] = [];

beforeAll(async () => {
  if (!hasRedisServer) return;
  server = await testRedis(1);
  admin = connect(server.port, server);
  await ready(admin);
});
beforeEach(async () => {
  if (hasRedisServer) await admin.flushdb();
});
afterEach(() => {
  for (const { redis, store } of opened.splice(0)) {
    store.close();
    redis.disconnect();
  }
});
afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

/** A store on its own connection: another process, as far as Redis can tell. */
async function open(options: Partial<RedisStoreOptions> = {}): Promise<RedisStore> {
  const redis = connect(server.port, server);
  await ready(redis);
  const store = createRedisStore({ redis, ...options });
  opened.push({ redis, store });
  return store;
}

const budget: BudgetConfig = {
  capacity: 10,
  retryCost: 5,
  timeoutCost: 10,
  successRefill: 1,
  ttlMs: 60_000,
};

async function state(record: string): Promise<Record<string, unknown>> {
  return JSON.parse((await admin.hget(record, 's')) ?? 'null') as Record<string, unknown>;
}

describe.skipIf(!hasRedisServer)('createRedisStore', () => {
  test('processes share one concurrency limit: never more in flight than the limit', async () => {
    const gauge: Gauge = { now: 0, peak: 0 };
    const workers = [worker(await open(), gauge, { concurrency: 3 })];
    workers.push(worker(await open(), gauge, { concurrency: 3 }));
    workers.push(worker(await open(), gauge, { concurrency: 3 }));
    const sent = workers.flatMap((w) => Array.from({ length: 8 }, () => w.send(15)));
    await expect(Promise.all(sent)).resolves.toHaveLength(24);
    expect(gauge.peak).toBe(3);
    // Every slot came back, and the leases with them.
    const record = 'triage:{http:shared}:concurrency';
    expect(await state(record)).toMatchObject({ inflight: 0, limit: 3 });
    expect(await admin.zcard(`${record}:leases`)).toBe(0);
  });

  test('keys: <prefix>:{<vendor>:<account>}:<kind>, with a TTL', async () => {
    const store = await open({ prefix: 'app' });
    await store.apply(key('https://a.test'), slots(2), { op: 'acquire', want: 1 }, Date.now());
    await store.apply(
      key('https://a.test', 'budget'),
      budgetMachine(budget),
      { op: 'deposit', amount: 1 },
      Date.now(),
    );
    expect((await admin.keys('*')).sort()).toEqual([
      'app:{v:https://a.test}:budget',
      'app:{v:https://a.test}:concurrency',
      'app:{v:https://a.test}:concurrency:held',
      'app:{v:https://a.test}:concurrency:leases',
    ]);
    const ttl = await admin.pttl('app:{v:https://a.test}:budget');
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await admin.hget('app:{v:https://a.test}:budget', 'm')).toBe('triage.budget/1');
  });

  test('a retry budget drawn by two processes is one bucket', async () => {
    const a = await open();
    const b = await open();
    const machine = budgetMachine(budget);
    const withdraw = { op: 'withdraw', cost: 5 } as const;
    expect(await a.apply(key('x', 'budget'), machine, withdraw, 0)).toEqual({
      granted: true,
      tokens: 5,
    });
    expect(await b.apply(key('x', 'budget'), machine, withdraw, 0)).toEqual({
      granted: true,
      tokens: 0,
    });
    expect(await a.apply(key('x', 'budget'), machine, withdraw, 0)).toEqual({
      granted: false,
      tokens: 0,
    });
  });

  test("server time: a hold from a process whose clock is behind delays the other's start", async () => {
    const pace: PaceConfig = { rates: [], margin: 0, ttlMs: 60_000 };
    const a = await open();
    const b = await open();
    const machine = paceMachine(pace);
    const behind = Date.now() - 10_000;
    await a.apply(key('t', 'pace'), machine, { op: 'hold', until: behind + 500 }, behind);
    const ahead = Date.now() + 5000;
    const take = await b.apply(
      key('t', 'pace'),
      machine,
      { op: 'take', maxWaitMs: Number.POSITIVE_INFINITY },
      ahead,
    );
    // On b's clock, the hold ends ~500 ms from now (less the few ms between the two calls).
    expect(take.reason).toBe('hold');
    expect(take.at - ahead).toBeGreaterThan(400);
    expect(take.at - ahead).toBeLessThanOrEqual(500);
  });

  test("a crashed process's slots come back after its lease", async () => {
    const crashing = await open({ leaseMs: 200 });
    const other = await open({ leaseMs: 200 });
    const machine = slots(2);
    const k = key('lease');
    expect(await crashing.apply(k, machine, { op: 'acquire', want: 2 }, 0)).toMatchObject({
      granted: 2,
    });
    // The crash: no release, no refresh.
    opened[0]!.store.close();
    opened[0]!.redis.disconnect();
    expect(await other.apply(k, machine, { op: 'acquire', want: 1 }, 0)).toMatchObject({
      granted: 0,
    });
    await sleep(250);
    expect(await other.apply(k, machine, { op: 'acquire', want: 2 }, 0)).toMatchObject({
      granted: 2,
      inflight: 2,
    });
  });

  test('close() delivers the releases still on their way before the client quits', async () => {
    // Auto-pipelining sends queued commands on the next tick, after a QUIT sent at once: without
    // waiting for them, the account would run two slots short for `leaseMs` (15 s).
    const redis = new Redis({
      host: server.host,
      port: server.port,
      db: server.db,
      enableAutoPipelining: true,
    });
    await ready(redis);
    const leaving = createRedisStore({ redis });
    const other = await open();
    const machine = slots(2);
    const k = key('close');
    expect(await leaving.apply(k, machine, { op: 'acquire', want: 2 }, 0)).toMatchObject({
      granted: 2,
    });
    const released = release({ inflightAtSend: 2 });
    const releases = [0, 1].map(() => leaving.apply(k, machine, released, 0));
    await leaving.close();
    await redis.quit();
    await expect(Promise.all(releases)).resolves.toHaveLength(2);
    expect(await other.apply(k, machine, { op: 'acquire', want: 2 }, 0)).toMatchObject({
      granted: 2,
    });
  });

  test('close() ends while its process keeps calling (it waits only for the calls under way)', async () => {
    const busy = await open();
    const machine = slots(100);
    const k = key('busy-close');
    let calling = true;
    const loop = (async () => {
      while (calling) await busy.apply(k, machine, { op: 'acquire', want: 1 }, 0);
    })();
    await sleep(20);
    try {
      const closed = busy.close().then(() => 'closed');
      const late = sleep(2000).then(() => 'still waiting');
      expect(await Promise.race([closed, late])).toBe('closed');
    } finally {
      calling = false;
      await loop;
    }
  });

  test('close() gives back what Redis still counts under its idle leases', async () => {
    const leaving = await open({ clientId: 'leaving' });
    const other = await open();
    const machine = slots(2);
    const k = key('leftover');
    await leaving.apply(k, machine, { op: 'acquire', want: 1 }, 0);
    const released = release();
    await leaving.apply(k, machine, released, 0);
    // A grant whose answer never reached the store (it timed out on the way): Redis counts a slot
    // under the lease that nobody uses.
    const record = 'triage:{v:leftover}:concurrency';
    const s = await state(record);
    await admin.hset(record, 's', JSON.stringify({ ...s, inflight: 1 }));
    await admin.hset(`${record}:held`, 'leaving:1', '1');
    expect(await other.apply(k, machine, { op: 'acquire', want: 2 }, 0)).toMatchObject({
      granted: 1,
    });
    await leaving.close();
    expect(await admin.hget(`${record}:held`, 'leaving:1')).toBeNull();
    expect(await other.apply(k, machine, { op: 'acquire', want: 1 }, 0)).toMatchObject({
      granted: 1,
      inflight: 2,
    });
  });

  test('a live process keeps its slots however long its requests take (its lease is refreshed)', async () => {
    const holder = await open({ leaseMs: 150 });
    const other = await open({ leaseMs: 150 });
    const machine = slots(1);
    const k = key('refresh');
    expect(await holder.apply(k, machine, { op: 'acquire', want: 1 }, 0)).toMatchObject({
      granted: 1,
    });
    await sleep(400);
    expect(await other.apply(k, machine, { op: 'acquire', want: 1 }, 0)).toMatchObject({
      granted: 0,
    });
    const released = release({ latencyMs: 400 });
    expect(await holder.apply(k, machine, released, 0)).toMatchObject({ inflight: 0 });
    expect(await other.apply(k, machine, { op: 'acquire', want: 1 }, 0)).toMatchObject({
      granted: 1,
    });
  });

  test('a release of a slot the process does not hold lowers nothing', async () => {
    const a = await open();
    const b = await open();
    const machine = slots(2);
    const k = key('foreign');
    await a.apply(k, machine, { op: 'acquire', want: 1 }, 0);
    const released = release({ outcome: 'cancelled', latencyMs: 0 });
    expect(await b.apply(k, machine, released, 0)).toMatchObject({ inflight: 1 });
    expect(await a.apply(k, machine, released, 0)).toMatchObject({ inflight: 0 });
  });

  test('a flushed script cache is refilled (EVALSHA, then EVAL on NOSCRIPT)', async () => {
    const { events, onEvent } = recorder();
    const store = await open({ onEvent });
    const machine = budgetMachine(budget);
    await store.apply(key('s', 'budget'), machine, { op: 'withdraw', cost: 1 }, 0);
    await admin.script('FLUSH');
    expect(await store.apply(key('s', 'budget'), machine, { op: 'withdraw', cost: 1 }, 0)).toEqual({
      granted: true,
      tokens: 8,
    });
    expect(events).toEqual([]);
  });

  test('an error reply: the account falls back to local limits at once, with an event', async () => {
    const { events, onEvent } = recorder();
    const fallback = createMemoryStore();
    const store = await open({ onEvent, fallback, retryIntervalMs: 60_000 });
    await admin.set('triage:{v:wrong}:budget', 'not a hash');
    const machine = budgetMachine(budget);
    expect(
      await store.apply(key('wrong', 'budget'), machine, { op: 'withdraw', cost: 4 }, 0),
    ).toEqual({
      granted: true,
      tokens: 6,
    });
    expect(events).toMatchObject([
      { type: 'degraded', reason: 'error', vendor: 'v', account: 'wrong' },
    ]);
    expect(String((events[0] as { error?: Error }).error?.message)).toMatch(/WRONGTYPE/);
    // Local now, synchronously, for this account only; other accounts stay shared.
    expect(store.apply(key('wrong', 'budget'), machine, { op: 'withdraw', cost: 4 }, 0)).toEqual({
      granted: true,
      tokens: 2,
    });
    expect(fallback.size).toBe(1);
    await store.apply(key('right', 'budget'), machine, { op: 'withdraw', cost: 4 }, 0);
    expect(await admin.exists('triage:{v:right}:budget')).toBe(1);
  });

  test('a machine without a script (custom, or another version) stays local', async () => {
    const store = await open();
    const counter: StateMachine<{ n: number }, number, number> = {
      name: 'custom.counter/1',
      initial: () => ({ n: 0 }),
      step: (s, add) => ({ state: { n: s.n + add }, output: s.n + add, ttlMs: 1000 }),
    };
    expect(store.apply(key('c', 'budget'), counter, 2, 0)).toBe(2);
    const { config: _, ...noConfig } = budgetMachine(budget);
    expect(store.apply(key('c', 'budget'), noConfig, { op: 'withdraw', cost: 1 }, 0)).toEqual({
      granted: true,
      tokens: 9,
    });
    expect(await admin.dbsize()).toBe(0);
  });

  test('the prefix may not contain braces', () => {
    expect(() => createRedisStore({ redis: admin, prefix: 'a{b}' })).toThrow(TypeError);
  });

  test('Infinity travels: an unbounded wait reserves the start', async () => {
    const store = await open();
    const machine = paceMachine({
      rates: [{ requests: 1, perMs: 1000 }],
      margin: 0,
      ttlMs: 60_000,
    });
    const take = { op: 'take', maxWaitMs: Number.POSITIVE_INFINITY } as const;
    const now = Date.now();
    await store.apply(key('inf', 'pace'), machine, take, now);
    const second = await store.apply(key('inf', 'pace'), machine, take, now);
    expect(second).toMatchObject({ reserved: true, reason: 'rate' });
    expect(second.at - now).toBeGreaterThan(990);
  });

  test("learned rates come back with take and learn, learnedAt on the caller's clock", async () => {
    const store = await open();
    const machine = paceMachine({ rates: [], margin: 0, ttlMs: 60_000 });
    const k = key('learned', 'pace');
    // A caller whose clock is far from Redis's: times must come back on its own.
    const skew = 1_000_000;
    const now = Date.now() - skew;
    const take = { op: 'take', maxWaitMs: 0 } as const;
    expect(await store.apply(k, machine, take, now)).not.toHaveProperty('learned');
    const rates = [
      { requests: 95, perMs: 1000 },
      { requests: 10, perMs: 100 },
    ];
    const learned = await store.apply(k, machine, { op: 'learn', rates }, now);
    expect(learned).toMatchObject({ changed: true, learned: rates });
    // Redis keeps time by its own clock: the caller gets it back on its own, within the round trip.
    expect(Math.abs(learned.learnedAt! - now)).toBeLessThan(50);
    const taken = await store.apply(k, machine, take, Date.now() - skew);
    expect(taken).toMatchObject({ learned: rates });
    expect(Math.abs(taken.learnedAt! - learned.learnedAt!)).toBeLessThan(50);
  });

  test('slots granted to a queue by a release are counted under the lease', async () => {
    const store = await open();
    const machine = slots(1);
    const k = key('queue');
    const first = (await store.apply(
      k,
      machine,
      { op: 'acquire', want: 1 },
      0,
    )) as ConcurrencyOutput;
    expect(first.granted).toBe(1);
    const handOver = release({ waiting: 1 });
    expect(await store.apply(k, machine, handOver, 0)).toMatchObject({ granted: 1, inflight: 1 });
    const [lease] = await admin.zrange('triage:{v:queue}:concurrency:leases', 0, -1);
    expect(await admin.hget('triage:{v:queue}:concurrency:held', String(lease))).toBe('1');
  });

  test('a kept slot stays counted under its lease; only the rest of the queue is granted more', async () => {
    const a = await open();
    const b = await open();
    const machine = slots(2);
    const k = key('keep');
    expect(await a.apply(k, machine, { op: 'acquire', want: 2 }, 0)).toMatchObject({ granted: 2 });
    const keep = release({ inflightAtSend: 2, waiting: 2, keep: true });
    // a passed the slot to its next request: still 2 in flight, none more for its second waiter.
    expect(await a.apply(k, machine, keep, 0)).toMatchObject({ granted: 0, inflight: 2 });
    expect(await b.apply(k, machine, { op: 'acquire', want: 1 }, 0)).toMatchObject({
      granted: 0,
    });
    const [lease] = await admin.zrange('triage:{v:keep}:concurrency:leases', 0, -1);
    expect(await admin.hget('triage:{v:keep}:concurrency:held', String(lease))).toBe('2');
    const released = { ...keep, waiting: 0, keep: false } as const;
    await a.apply(k, machine, released, 0);
    await a.apply(k, machine, released, 0);
    expect(await state('triage:{v:keep}:concurrency')).toMatchObject({ inflight: 0 });
    expect(await admin.zcard('triage:{v:keep}:concurrency:leases')).toBe(0);
  });

  test('fair shares: while a process waits with less than its share, the others are granted none above theirs and told it', async () => {
    const a = await open({ time: 'caller' });
    const b = await open({ time: 'caller' });
    const machine = slots(4);
    const k = key('fair');
    const record = 'triage:{v:fair}:concurrency';
    // a takes every slot and still wants more: a waits. b finds none: b waits with none.
    expect(await a.apply(k, machine, { op: 'acquire', want: 8 }, 0)).toMatchObject({
      granted: 4,
    });
    const first = (await b.apply(k, machine, { op: 'acquire', want: 4 }, 0)) as ConcurrencyOutput;
    // b is told it waits below its share (it will ask again); its answer has no share: nobody
    // else waits with less than theirs (a holds 4).
    expect(first).toMatchObject({ granted: 0, inflight: 4, belowShare: true });
    expect(first.share).toBeUndefined();
    expect(await admin.zcard(`${record}:waiting`)).toBe(2);
    // a passes a slot to its queue: told its share (4 slots, 2 waiting processes: 2).
    const keep = release({ inflightAtSend: 4, waiting: 4, keep: true });
    expect(await a.apply(k, machine, keep, 10)).toMatchObject({ granted: 0, share: 2 });
    // a gives one back instead, with its queue still waiting: none comes back to a.
    const yielded = release({ inflightAtSend: 4, waiting: 3 });
    expect(await a.apply(k, machine, yielded, 20)).toMatchObject({
      granted: 0,
      inflight: 3,
      share: 2,
    });
    // b's next poll finds it; b still waits with 1 of its 2, and is told so.
    expect(await b.apply(k, machine, { op: 'acquire', want: 4 }, 30)).toMatchObject({
      granted: 1,
      inflight: 4,
      belowShare: true,
    });
    expect(await a.apply(k, machine, yielded, 40)).toMatchObject({ granted: 0, share: 2 });
    const second = (await b.apply(k, machine, { op: 'acquire', want: 3 }, 50)) as ConcurrencyOutput;
    expect(second).toMatchObject({ granted: 1 });
    expect(second.belowShare).toBeUndefined();
    // Both hold their share: a keeps passing its slots on, told no share.
    const even = (await a.apply(k, machine, keep, 60)) as ConcurrencyOutput;
    expect(even).toMatchObject({ granted: 0, inflight: 4 });
    expect(even.share).toBeUndefined();
  });

  test('fair shares: a process counts as waiting for waitingMs after it last asked', async () => {
    const a = await open({ time: 'caller', waitingMs: 100 });
    const b = await open({ time: 'caller', waitingMs: 100 });
    const machine = slots(2);
    const k = key('fair-expiry');
    expect(await a.apply(k, machine, { op: 'acquire', want: 4 }, 0)).toMatchObject({
      granted: 2,
    });
    expect(await b.apply(k, machine, { op: 'acquire', want: 1 }, 0)).toMatchObject({
      granted: 0,
    });
    const keep = release({ inflightAtSend: 2, waiting: 2, keep: true });
    expect(await a.apply(k, machine, keep, 99)).toMatchObject({ share: 1 });
    // b has not asked again for 100 ms: it no longer counts, a keeps its slots.
    const late = (await a.apply(k, machine, keep, 100)) as ConcurrencyOutput;
    expect(late.share).toBeUndefined();
    // A process that got all it asked for stops waiting at once.
    expect(await b.apply(k, machine, { op: 'acquire', want: 1 }, 110)).toMatchObject({
      granted: 0,
    });
    expect(await a.apply(k, machine, keep, 120)).toMatchObject({ share: 1 });
    expect(await b.apply(k, machine, { op: 'acquire', want: 0 }, 130)).toMatchObject({
      granted: 0,
    });
    const after = (await a.apply(k, machine, keep, 140)) as ConcurrencyOutput;
    expect(after.share).toBeUndefined();
  });

  test('turns: with more waiting processes than slots, one with none is next, and holders are told', async () => {
    const [a, b, c] = [
      await open({ time: 'caller' }),
      await open({ time: 'caller' }),
      await open({ time: 'caller' }),
    ];
    const machine = slots(2);
    const k = key('turns');
    const record = 'triage:{v:turns}:concurrency';
    expect(await a.apply(k, machine, { op: 'acquire', want: 1 }, 0)).toMatchObject({ granted: 1 });
    expect(await b.apply(k, machine, { op: 'acquire', want: 4 }, 0)).toMatchObject({ granted: 1 });
    // Both slots held (a share of 1 each): c waits with none and marks the account.
    expect(await c.apply(k, machine, { op: 'acquire', want: 4 }, 0)).toMatchObject({ granted: 0 });
    const marked = await admin.get(`${record}:starving`);
    expect(marked).not.toBeNull();
    expect(await admin.hget(`${record}:held`, marked!)).toBeNull();
    // a passes its slot on: told that another waits with none.
    const keep = release({ inflightAtSend: 2, waiting: 3, keep: true });
    expect(await a.apply(k, machine, keep, 10)).toMatchObject({ granted: 0, starving: true });
    // a gives its slot back after its turn: none comes back to a, though its queue waits.
    const back = release({ inflightAtSend: 2, waiting: 3 });
    expect(await a.apply(k, machine, back, 20)).toMatchObject({ granted: 0, inflight: 1 });
    // a, with none now, asks again first: the free slot is c's.
    expect(await a.apply(k, machine, { op: 'acquire', want: 3 }, 21)).toMatchObject({
      granted: 0,
    });
    const served = (await c.apply(k, machine, { op: 'acquire', want: 4 }, 25)) as ConcurrencyOutput;
    expect(served).toMatchObject({ granted: 1, inflight: 2 });
    // c's turn has come: the next to wait with none (a) marks the account when it asks again.
    expect(await admin.get(`${record}:starving`)).toBeNull();
    expect(await a.apply(k, machine, { op: 'acquire', want: 3 }, 30)).toMatchObject({
      granted: 0,
    });
    expect(await admin.get(`${record}:starving`)).not.toBeNull();
    const told = (await b.apply(k, machine, keep, 40)) as ConcurrencyOutput;
    expect(told.starving).toBe(true);
    // c, holding its slot, is told too: a waits with none.
    expect(await c.apply(k, machine, keep, 45)).toMatchObject({ starving: true });
  });

  test('fair shares: processes that start while another holds every slot get theirs while it still has work', async () => {
    const gauge: Gauge = { now: 0, peak: 0 };
    // pollMs at its default: the test measures the polls of a real wait.
    const limits = { account: 'fair', concurrency: 3, pollMs: 50 };
    const [a, b, c] = [
      worker(await open(), gauge, limits),
      worker(await open(), gauge, limits),
      worker(await open(), gauge, limits),
    ];
    const begin = Date.now();
    // The first process queues 30 requests and takes every slot; the others come 30 ms later.
    const first = Array.from({ length: 30 }, () => a.send(20));
    await sleep(30);
    const others = [b, c].flatMap((w) => Array.from({ length: 6 }, () => w.send(20)));
    await expect(Promise.all([...first, ...others])).resolves.toHaveLength(42);
    expect(gauge.peak).toBe(3);
    // Passing its slots to its own queue, the first process would keep them for 30 × 20 ms / 3 =
    // 200 ms: the others would wait for all of it. Given back above its share, they start after
    // about one answer and a poll, while the first process still has requests to send.
    const latest = Math.max(Math.min(...b.starts), Math.min(...c.starts)) - begin;
    expect(latest).toBeLessThan(150);
    expect(Math.max(...a.starts) - begin).toBeGreaterThan(latest + 40);
  });

  test('turns: a process that comes when two others hold both slots gets one after a turn, not after they finish', async () => {
    const gauge: Gauge = { now: 0, peak: 0 };
    const limits = { account: 'turns', concurrency: 2, pollMs: 50 };
    const [a, b, c] = [
      worker(await open(), gauge, limits),
      worker(await open(), gauge, limits),
      worker(await open(), gauge, limits),
    ];
    const begin = Date.now();
    // Two processes with 3 s of work each at one slot apiece; the third comes 50 ms later.
    const busy = [a, b].flatMap((w) => Array.from({ length: 150 }, () => w.send(20)));
    await sleep(50);
    const late = Array.from({ length: 5 }, () => c.send(20));
    await expect(Promise.all([...busy, ...late])).resolves.toHaveLength(305);
    expect(gauge.peak).toBe(2);
    // Its first start comes after one turn (1 s) and a poll, while the others still have work;
    // passing their slots to their own queues, they would have kept it waiting about 3 s.
    const third = Math.min(...c.starts) - begin;
    expect(third).toBeGreaterThan(900);
    expect(third).toBeLessThan(2000);
    expect(Math.max(...a.starts, ...b.starts) - begin).toBeGreaterThan(third + 500);
  });

  test("server time: a hold in the concurrency record and a pacer's entries travel on the caller's clock", async () => {
    const store = await open();
    // A caller whose clock is 10 s behind Redis's.
    const t = (): number => Date.now() - 10_000;
    const machine = slots(2);
    const start = t();
    await store.apply(key('clock'), machine, { op: 'hold', until: start + 5000 }, t());
    const held = await store.apply(key('clock'), machine, { op: 'acquire', want: 1 }, t());
    // On the caller's clock, give or take the milliseconds between the calls.
    expect(held.granted).toBe(1);
    expect(Math.abs(held.holdUntil! - (start + 5000))).toBeLessThanOrEqual(5);
    const pace = paceMachine({
      rates: [{ requests: 1, perMs: 1000 }],
      margin: 0.05,
      ttlMs: 60_000,
    });
    const take = { op: 'take', maxWaitMs: Number.POSITIVE_INFINITY } as const;
    const now = t();
    const first = await store.apply(key('clock', 'pace'), pace, take, now);
    expect(first).toMatchObject({ entry: 1 });
    expect(Math.abs(first.at - now)).toBeLessThanOrEqual(5);
    expect(first.bound! - first.at).toBe(50);
    // Sent 300 ms late: the entry, named by number, moves on the caller's clock.
    const moved = { op: 'move', entry: 1, to: first.bound! + 300 } as const;
    expect(await store.apply(key('clock', 'pace'), pace, moved, t())).toMatchObject({
      changed: true,
    });
    const second = await store.apply(key('clock', 'pace'), pace, take, t());
    expect(Math.abs(second.at - (first.bound! + 1300))).toBeLessThanOrEqual(5);
  });
});
