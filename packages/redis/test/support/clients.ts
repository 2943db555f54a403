import {
  type AttemptOutcome,
  type ConcurrencyConfig,
  type ConcurrencyInput,
  concurrencyMachine,
  createEngine,
  type Engine,
  http,
  type LimitsOptions,
  type StateKey,
} from '@triage/core';
import { Redis } from 'ioredis';
import type { RedisStore, RedisStoreEvent } from '../../src/index.ts';

/** A client that reconnects every 20 ms, so a restarted server is found at once. */
export function connect(port: number, where: { host?: string; db?: number } = {}): Redis {
  const redis = new Redis({
    host: where.host ?? '127.0.0.1',
    port,
    db: where.db ?? 0,
    retryStrategy: () => 20,
    maxRetriesPerRequest: 1,
  });
  // Refused connections while a test has the server down are expected: not worth a log line.
  redis.on('error', () => {});
  return redis;
}

/** Resolves once `redis` is ready (or at once when it is). */
export function ready(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}

export const key = (account: string, kind: StateKey['kind'] = 'concurrency'): StateKey => ({
  vendor: 'v',
  account,
  kind,
});

export const fixed = (limit: number): ConcurrencyConfig => ({
  adaptive: false,
  initial: limit,
  min: 1,
  max: limit,
  probeIntervalMs: 0,
  latencyTolerance: 1,
  ttlMs: 60_000,
});

/** A fixed concurrency limit as the engine builds it. */
export const slots = (limit: number): ReturnType<typeof concurrencyMachine> =>
  concurrencyMachine(fixed(limit));

type Release = Extract<ConcurrencyInput, { op: 'release' }>;

/** A concurrency release as the engine sends it: a success answered in 5 ms, unless `fields` say otherwise. */
export function release(fields: Partial<Omit<Release, 'op'>> = {}): Release {
  return {
    op: 'release',
    outcome: 'success',
    latencyMs: 5,
    inflightAtSend: 1,
    waiting: 0,
    ...fields,
  };
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 10 ms until it holds, for at most `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(10);
  }
}

/** The store's events, collected. */
export function recorder(): { events: RedisStoreEvent[]; onEvent: (e: RedisStoreEvent) => void } {
  const events: RedisStoreEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

/** An engine of the generic HTTP profile whose requests count how many run at once. */
export interface Worker {
  engine: Engine;
  /** Sends one request that takes `ms` to answer 200. */
  send(ms: number): Promise<number>;
  /** When each of its requests started (`Date.now()`). */
  starts: number[];
}

/** The highest number of requests in flight at once across every worker of one `Gauge`. */
export interface Gauge {
  now: number;
  peak: number;
}

export function worker(store: RedisStore, gauge: Gauge, limits: LimitsOptions = {}): Worker {
  const engine = createEngine({
    vendor: http,
    limits: { store, account: 'shared', rate: false, breaker: false, pollMs: 5, ...limits },
  });
  const starts: number[] = [];
  return {
    engine,
    starts,
    send(ms) {
      return engine.execute<number>({
        method: 'GET',
        url: 'https://vendor.test/',
        async send(): Promise<AttemptOutcome<number>> {
          starts.push(Date.now());
          gauge.peak = Math.max(gauge.peak, ++gauge.now);
          await sleep(ms);
          gauge.now--;
          return { response: 200, input: { status: 200, body: '', headers: {} } };
        },
      });
    },
  };
}
