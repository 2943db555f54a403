import type { LuaScript } from './scripts/lua.ts';

/**
 * What the store uses of an ioredis client; `Redis` and `Cluster` both have it. The store never
 * connects, disconnects or configures the client: that stays the application's.
 */
export interface RedisClient {
  /** ioredis's connection status (`ready`, `reconnecting`, `end`, …). */
  readonly status: string;
  evalsha(sha1: string, numkeys: number, ...args: string[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: string[]): Promise<unknown>;
  pttl(key: string): Promise<number>;
}

/**
 * Statuses in which a command is worth sending. `reconnecting`, `close` and `end` are not: ioredis
 * would hold the command in its offline queue and run it whenever it reconnects, long after its
 * answer stopped mattering.
 */
export function isUsable(status: string): boolean {
  return status === 'ready' || status === 'wait' || status === 'connect' || status === 'connecting';
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * `EVALSHA`, then `EVAL` when the server does not know the script (a restarted Redis, a new
 * Cluster node): `EVAL` also caches it, so the next `EVALSHA` finds it.
 */
export async function runScript(
  redis: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}
