// A real 3-node Redis Cluster (three redis-server processes, `redis-cli --cluster create`): every
// script touches only keys of one slot (no CROSSSLOT), and accounts spread over the nodes.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { budgetMachine } from '@triage/core';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRedisStore, type RedisStore, recordKey } from '../src/index.ts';
import { concurrencyKeys } from '../src/keys.ts';
import { type Gauge, key, recorder, slots, worker } from './support/clients.ts';
import { keySlot } from './support/key-slot.ts';
import {
  freePort,
  hasRedisServer,
  REDIS_SERVER,
  type RedisServer,
  startRedisServer,
} from './support/redis-server.ts';

const run = promisify(execFile);
// redis-cli comes with Debian's redis-server (redis-tools), next to it.
const REDIS_CLI = REDIS_SERVER.replace(/redis-server$/, 'redis-cli');

let directory: string;
const nodes: RedisServer[] = [];
let cluster: Cluster;
let store: RedisStore;
const { events, onEvent } = recorder();

beforeAll(async () => {
  if (!hasRedisServer) return;
  directory = await mkdtemp(join(tmpdir(), 'triage-cluster-'));
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    nodes.push(
      await startRedisServer({
        port,
        cwd: directory,
        args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`],
      }),
    );
  }
  await run(REDIS_CLI, [
    '--cluster',
    'create',
    ...nodes.map((node) => `127.0.0.1:${node.port}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ]);
  // The nodes agree on the slots within a second or so.
  for (;;) {
    const { stdout } = await run(REDIS_CLI, ['-p', String(nodes[0]!.port), 'cluster', 'info']);
    if (stdout.includes('cluster_state:ok')) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  cluster = new Cluster([{ host: '127.0.0.1', port: nodes[0]!.port }]);
  await new Promise<void>((resolve) => cluster.once('ready', () => resolve()));
  store = createRedisStore({ redis: cluster, onEvent });
}, 20_000);

afterAll(async () => {
  store?.close();
  cluster?.disconnect();
  await Promise.all(nodes.map((node) => node.stop()));
  if (directory !== undefined) await rm(directory, { recursive: true, force: true });
});

describe.skipIf(!hasRedisServer)('Redis Cluster', () => {
  test('the engine shares one limit through a cluster; each account lives on one node', async () => {
    const gauge: Gauge = { now: 0, peak: 0 };
    const a = worker(store, gauge, { concurrency: 2 });
    const b = worker(store, gauge, { concurrency: 2 });
    await Promise.all([a, b].flatMap((w) => Array.from({ length: 6 }, () => w.send(5))));
    expect(gauge.peak).toBe(2);

    const budget = budgetMachine({
      capacity: 10,
      retryCost: 5,
      timeoutCost: 10,
      successRefill: 1,
      ttlMs: 60_000,
    });
    const owners = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const account = `tenant-${i}`;
      await store.apply(key(account), slots(2), { op: 'acquire', want: 1 }, 0);
      await store.apply(key(account, 'budget'), budget, { op: 'withdraw', cost: 5 }, 0);
      const records = [
        ...concurrencyKeys(recordKey('triage', key(account))),
        recordKey('triage', key(account, 'budget')),
      ];
      // The cluster's own hash agrees with the layout: one slot per account.
      const reported = await Promise.all(
        records.map((record) => cluster.cluster('KEYSLOT', record) as Promise<number>),
      );
      expect(new Set(reported)).toEqual(new Set([keySlot(records[0]!)]));
      // Exactly one node holds them all; the others answer MOVED.
      const masters = cluster.nodes('master');
      const found = await Promise.all(masters.map((n) => n.exists(...records).catch(() => -1)));
      expect(found.filter((n) => n === 4)).toHaveLength(1);
      expect(found.filter((n) => n === -1)).toHaveLength(2);
      const node = masters[found.indexOf(4)];
      owners.add(String(node?.options.port));
    }
    expect(owners.size).toBe(3);
    expect(events).toEqual([]);
  });
});
