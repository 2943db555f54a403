import { type Clock, createMemoryStore, type MemoryStore, systemClock } from '@triage/core';
import type { Cluster, Redis } from 'ioredis';
import type { RedisStoreEvent } from './events.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * Options of {@link createRedisStore}.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * const store = createRedisStore({
 *   redis: new Redis(process.env.REDIS_URL),
 *   prefix: 'billing',
 *   onEvent: (event) => log.warn(event),
 * });
 * ```
 */
export interface RedisStoreOptions {
  /**
   * An ioredis client: `new Redis(…)` or `new Cluster(…)`. It stays yours: the store never
   * connects, disconnects or quits it, and adds no listener to it.
   */
  redis: Redis | Cluster;
  /**
   * The first part of every key: `<prefix>:{<vendor>:<account>}:<kind>`. Several applications
   * sharing a Redis keep apart by prefix; no braces (they would change the Cluster hash tag).
   * @default 'triage'
   */
  prefix?: string;
  /**
   * How long a call waits for Redis before the account falls back to local limits. Every
   * admission may wait this long once, when Redis stops answering; then requests are admitted
   * locally at once until Redis answers again.
   * @default 100
   */
  timeoutMs?: number;
  /**
   * How often an account on local limits checks whether Redis answers again.
   * @default 1000
   */
  retryIntervalMs?: number;
  /**
   * How long the concurrency slots of a process that stopped (crashed, was killed, lost Redis)
   * stay counted. A live process refreshes its lease every `leaseMs / 3`, however long its
   * requests take.
   * @default 15000
   */
  leaseMs?: number;
  /**
   * How long a process whose requests wait for a concurrency slot counts as waiting after it last
   * asked Redis for one. While a waiting process holds fewer slots than its fair share (the limit
   * divided among the waiting processes), the others stop passing their slots to their own queues
   * beyond that share, so every process gets its turn. Keep it above the engine's
   * `limits.pollMs` (how often a process with no slot asks again), or waiting processes drop out
   * between their polls.
   * @default 250
   */
  waitingMs?: number;
  /**
   * Whose clock the limits keep time by. `server`: Redis's `TIME`, so processes whose clocks
   * disagree still share one sliding window and one breaker; `caller`: the `now` each caller
   * passes (a test's manual clock).
   * @default 'server'
   */
  time?: 'server' | 'caller';
  /**
   * This store's name in Redis, in its lease ids (`<clientId>:<n>`); `hostname:pid` makes them
   * readable.
   * @default a random UUID
   */
  clientId?: string;
  /**
   * Where the limits live while Redis is away (and for machines without a script).
   * @default createMemoryStore()
   */
  fallback?: MemoryStore;
  /** Degradation and recovery, per account. A listener that throws is ignored. */
  onEvent?: (event: RedisStoreEvent) => void;
  /**
   * Timers for the wait on Redis and the background work, and the time of events. The default's
   * background timers (probes, lease refreshes) do not keep the process alive.
   * @default systemClock
   */
  clock?: Clock;
}

/** The options with every default filled in. */
export interface NormalizedRedisStoreOptions {
  redis: RedisClient;
  prefix: string;
  timeoutMs: number;
  retryIntervalMs: number;
  leaseMs: number;
  waitingMs: number;
  serverTime: boolean;
  clientId: string;
  fallback: MemoryStore;
  onEvent: ((event: RedisStoreEvent) => void) | undefined;
  clock: Clock;
  /** For work nobody waits for. */
  background: Clock;
}

/** The defaults, in one place. */
export const REDIS_STORE_DEFAULTS: {
  readonly prefix: string;
  readonly timeoutMs: number;
  readonly retryIntervalMs: number;
  readonly leaseMs: number;
  readonly waitingMs: number;
} = Object.freeze({
  prefix: 'triage',
  timeoutMs: 100,
  retryIntervalMs: 1000,
  leaseMs: 15_000,
  waitingMs: 250,
});

const unrefClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const handle: unknown = globalThis.setTimeout(callback, ms);
    (handle as { unref?: () => void }).unref?.();
    return () => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  },
};

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 && Number.isFinite(value) ? value : fallback;
}

/** Fills in the defaults; throws a `TypeError` for a prefix with braces. */
export function normalizeRedisStoreOptions(
  options: RedisStoreOptions,
): NormalizedRedisStoreOptions {
  const prefix = options.prefix ?? REDIS_STORE_DEFAULTS.prefix;
  if (/[{}]/.test(prefix))
    throw new TypeError(`@triage/redis: the prefix ${JSON.stringify(prefix)} has braces`);
  return {
    redis: options.redis,
    prefix,
    timeoutMs: positive(options.timeoutMs, REDIS_STORE_DEFAULTS.timeoutMs),
    retryIntervalMs: positive(options.retryIntervalMs, REDIS_STORE_DEFAULTS.retryIntervalMs),
    leaseMs: positive(options.leaseMs, REDIS_STORE_DEFAULTS.leaseMs),
    waitingMs: positive(options.waitingMs, REDIS_STORE_DEFAULTS.waitingMs),
    serverTime: options.time !== 'caller',
    clientId: options.clientId ?? globalThis.crypto.randomUUID(),
    fallback: options.fallback ?? createMemoryStore(),
    onEvent: options.onEvent,
    clock: options.clock ?? systemClock,
    background: options.clock ?? unrefClock,
  };
}
