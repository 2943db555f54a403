import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  hasRedisServer,
  type TestRedis,
  testRedis,
} from '../../../packages/redis/test/support/redis-server.ts';
import { main } from '../index.ts';

// CI's shared server when there is one (database 3 is this file's), else a server of its own.
let server: TestRedis | undefined;
beforeAll(async () => {
  if (hasRedisServer) server = await testRedis(3);
});
afterAll(async () => {
  await server?.stop();
});

test.skipIf(!hasRedisServer)(
  'three processes share one CO3 limit through Redis; alone, each allows the limit',
  async () => {
    const lines: string[] = [];
    const url = `redis://${server!.host}:${server!.port}/${server!.db}`;
    const { alone, shared } = await main(url, (line) => lines.push(line));

    // Alone: each process allows 3, so CO3 is sent more than it serves and refuses the excess;
    // every contact is written in the end (CO3's refusals change nothing, so they are retried).
    expect(alone.peak).toBe(3);
    expect(alone.refused).toBeGreaterThan(0);
    expect(alone.written).toBe(72);

    // Shared: never more than the account's 3, nothing refused, every contact written once.
    expect(shared.peak).toBe(3);
    expect(shared.refused).toBe(0);
    expect(shared.written).toBe(72);
    expect(shared.workers.map((w) => [w.id, w.saved, w.failed])).toEqual([
      [0, 24, 0],
      [1, 24, 0],
      [2, 24, 0],
    ]);
    // Fair shares: a worker that got no slot at first gets one within about two answers of the
    // worker holding them (25 ms each) and a poll: about 100 ms here. Passing its slots to its own
    // queue, that worker would keep the others waiting for all its 24 contacts (24 × 25 ms / 3 =
    // 200 ms), and the last worker for two workers' (measured: 640 ms).
    const firsts = shared.workers.map((w) => w.firstSentMs);
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeLessThan(300);
    // Without the refusals' 1 s waits, sharing is also faster.
    expect(shared.elapsedMs).toBeLessThan(alone.elapsedMs);

    expect(lines[0]).toBe('Each process alone: a limit of 3 per process');
    expect(lines).toContain('Shared through Redis: one limit of 3 for the account');
    expect(lines.filter((l) => l.startsWith('  worker '))).toHaveLength(6);
  },
  30_000,
);
