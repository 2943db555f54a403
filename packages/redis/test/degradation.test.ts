// Redis killed mid-run, restarted on the same port, and paused: requests keep flowing on local
// limits within a bounded wait, and the shared limits resume when Redis answers again.
import type { ConcurrencyInput } from '@triage/core';
import { createManualClock } from '@triage/testing';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createRedisStore, type RedisStore, type RedisStoreOptions } from '../src/index.ts';
import {
  connect,
  type Gauge,
  key,
  ready,
  recorder,
  sleep,
  slots,
  until,
  worker,
} from './support/clients.ts';
import { hasRedisServer, type RedisServer, startRedisServer } from './support/redis-server.ts';

let server: RedisServer;
const opened: { redis: Redis; store: RedisStore }[] = [];

beforeAll(async () => {
  if (hasRedisServer) server = await startRedisServer();
});
afterEach(() => {
  for (const { redis, store } of opened.splice(0)) {
    store.close();
    redis.disconnect();
  }
});
afterAll(async () => {
  await server?.stop();
});

async function open(
  options: Partial<RedisStoreOptions>,
): Promise<{ redis: Redis; store: RedisStore }> {
  const redis = connect(server.port);
  await ready(redis);
  const store = createRedisStore({ redis, timeoutMs: 50, retryIntervalMs: 100, ...options });
  opened.push({ redis, store });
  return { redis, store };
}

const release: ConcurrencyInput = {
  op: 'release',
  outcome: 'success',
  latencyMs: 1,
  inflightAtSend: 1,
  waiting: 0,
};

describe.skipIf(!hasRedisServer)('degradation', () => {
  test('Redis killed mid-run: requests keep flowing on local limits; restarted: shared limits resume', async () => {
    const a = recorder();
    const b = recorder();
    const gauge: Gauge = { now: 0, peak: 0 };
    // A dead server is noticed at once (the connection drops): no timeout is needed, and a
    // generous one keeps a loaded test machine from falling back before the kill.
    const workers = [
      worker((await open({ onEvent: a.onEvent, timeoutMs: 1000 })).store, gauge, {
        concurrency: 2,
      }),
      worker((await open({ onEvent: b.onEvent, timeoutMs: 1000 })).store, gauge, {
        concurrency: 2,
      }),
    ];
    const run = (n: number): Promise<number[]> =>
      Promise.all(workers.flatMap((w) => Array.from({ length: n }, () => w.send(10))));

    await run(4);
    expect(gauge.peak).toBe(2);

    const started = Date.now();
    const during = run(12);
    setTimeout(() => void server.kill(), 30);
    await expect(during).resolves.toHaveLength(24);
    // 12 requests per process, 2 at a time, 10 ms each: ~60 ms of work, and no long stall.
    expect(Date.now() - started).toBeLessThan(1500);
    for (const { events } of [a, b]) expect(events.map((e) => e.type)).toEqual(['degraded']);

    // Down, each process admits by its own limit: both run at once.
    gauge.peak = 0;
    await run(6);
    expect(gauge.peak).toBe(4);

    await server.restart();
    await until(() => a.events.length === 2 && b.events.length === 2);
    expect(a.events[1]).toMatchObject({ type: 'recovered', vendor: 'http', account: 'shared' });
    expect(a.events[1]?.type === 'recovered' && a.events[1].localMs).toBeGreaterThan(0);

    gauge.peak = 0;
    await run(8);
    expect(gauge.peak).toBe(2);
    const check = connect(server.port);
    await ready(check);
    expect(
      JSON.parse(String(await check.hget('triage:{http:shared}:concurrency', 's'))),
    ).toMatchObject({
      inflight: 0,
    });
    check.disconnect();
  });

  test('Redis too slow: the wait is exactly timeoutMs, calls under way fall back together, and late grants are given back', async () => {
    // The store's timers on a manual clock: the waits are asserted exactly, Redis runs for real.
    const clock = createManualClock({ start: Date.now() });
    const { events, onEvent } = recorder();
    const { store } = await open({ onEvent, clock });
    const admin = connect(server.port);
    await ready(admin);
    await admin.flushall();
    const machine = slots(4);
    const k = key('slow');
    expect(await store.apply(k, machine, { op: 'acquire', want: 1 }, 0)).toMatchObject({
      granted: 1,
    });

    await admin.client('PAUSE', 300);
    let settled = false;
    const answers = Promise.all(
      Array.from({ length: 3 }, () => store.apply(k, machine, { op: 'acquire', want: 1 }, 0)),
    ).finally(() => {
      settled = true;
    });
    await clock.advance(49);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect((await answers).map((answer) => answer.granted)).toEqual([1, 1, 1]);
    expect(events).toMatchObject([{ type: 'degraded', reason: 'timeout', account: 'slow' }]);
    // Local now: answered at once, without a promise. The request that ends gives back the Redis
    // slot first (Redis cannot hear it now): the local record keeps counting its three.
    expect(store.apply(k, machine, release, 0)).toMatchObject({ granted: 0, inflight: 3 });

    // The paused calls run when Redis wakes up: three grants nobody uses, under the old lease,
    // which recovery drops since this store holds no slot of it any more.
    await sleep(300);
    await clock.advance(100);
    await until(() => events.length === 2);
    expect(events[1]).toMatchObject({ type: 'recovered', account: 'slow', localMs: 100 });
    const record = 'triage:{v:slow}:concurrency';
    await until(async () => (await admin.zcard(`${record}:leases`)) === 0);
    expect(JSON.parse(String(await admin.hget(record, 's')))).toMatchObject({ inflight: 0 });
    // The local slots still in use go back to the local record.
    expect(await store.apply(k, machine, release, 0)).toMatchObject({ inflight: 2 });
    // Besides the 50 ms waits on Redis: the lease refresh (leaseMs / 3) and the one probe.
    expect(clock.delays.filter((ms) => ms !== 50)).toEqual([5000, 100]);
    admin.disconnect();
  });

  test('a client that is not connected falls back at once, without waiting', async () => {
    const { events, onEvent } = recorder();
    const { redis, store } = await open({ onEvent, timeoutMs: 10_000 });
    redis.disconnect();
    await until(() => redis.status === 'end');
    const started = Date.now();
    expect(store.apply(key('off'), slots(1), { op: 'acquire', want: 1 }, 0)).toMatchObject({
      granted: 1,
    });
    expect(Date.now() - started).toBeLessThan(20);
    expect(events).toMatchObject([{ type: 'degraded', reason: 'unavailable' }]);
  });
});
