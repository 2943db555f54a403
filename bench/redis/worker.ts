// One worker process of `bench/redis.ts`: a CO3 client that sends its share of setContact POSTs
// a few at a time, with triage's limits in Redis or in its own memory; or, as the reference, plain
// fetch one at a time (perfect coordination: 4 workers, 4 slots, nothing to reject).
import type { TriageEvent } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { createRedisStore } from '@triage/redis';
import { DEMO_ACCOUNTS } from '@triage/testing';
import { co3 } from '@triage/vendors/co3';
import { Redis } from 'ioredis';

/** How a worker's client keeps its limits. */
export type Setup = 'redis' | 'memory' | 'baseline';

/** What the parent asks of a worker (argv[2], as JSON). */
export interface WorkerTask {
  id: number;
  setup: Setup;
  /** The simulator's base URL. */
  baseUrl: string;
  /**
   * An unlimited simulator for untimed warm-up requests, so JIT warm-up is nobody's measured time
   * (as in `bench/storm.ts`); triage counts them against another account.
   */
  warmupUrl: string;
  warmup: number;
  /** Redis's port, for `redis`. */
  redisPort: number;
  requests: number;
  concurrency: number;
}

/** Worker → parent. */
export type WorkerMessage =
  | { type: 'ready' }
  | {
      type: 'done';
      successes: number;
      giveUps: number;
      /** Every transport call: first attempts and retries. */
      attempts: number;
      /** From `go` to this worker's last answer. */
      elapsedMs: number;
      /** The store's degradation events (none expected). */
      storeEvents: number;
      /** Concurrency limit changes triage made. */
      limitChanges: number;
      /**
       * Turnarounds, ms: for each transport call made after an answer (and before the next
       * answer), the time since that answer. What a client spends between one answer and the next
       * call (reading, classifying, telling the store) is time a vendor slot stands idle when the
       * client holds one slot at a time. A call that waited for a slot from another process
       * counts its wait too: the median tells the work from the waits.
       */
      turnarounds: number[];
      /** Transport round trips (call to response headers), ms. */
      roundTrips: number[];
      firstError: string | undefined;
    };

const XML = 'text/xml; charset=utf-8';
const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

/** A session key from `/api/authenticate`, before the clock starts: the run measures throttling. */
async function openSession(baseUrl: string): Promise<string> {
  const { apiKey, username, passwordMd5 } = DEMO_ACCOUNTS.co3;
  const response = await fetch(`${baseUrl}/api/authenticate`, {
    method: 'POST',
    headers: { 'content-type': XML },
    body:
      `${DECLARATION}<command><authenticate><api_key>${apiKey}</api_key>` +
      `<username>${username}</username><password>${passwordMd5}</password></authenticate></command>`,
  });
  const text = await response.text();
  const key = /<session_key>(?:<!\[CDATA\[)?([^<\]]+)/.exec(text)?.[1];
  if (key === undefined) throw new Error(`CO3 authenticate answered ${response.status}: ${text}`);
  return key;
}

async function main(task: WorkerTask): Promise<void> {
  const send = (message: WorkerMessage): void => void process.send?.(message);
  const redis =
    task.setup === 'redis'
      ? new Redis({ host: '127.0.0.1', port: task.redisPort, lazyConnect: true })
      : undefined;
  await redis?.connect();
  let storeEvents = 0;
  const store =
    redis === undefined
      ? undefined
      : createRedisStore({
          redis,
          clientId: `bench-worker-${task.id}`,
          onEvent: () => storeEvents++,
        });
  let attempts = 0;
  let limitChanges = 0;
  let lastAnswer = -1;
  const turnarounds: number[] = [];
  const roundTrips: number[] = [];
  /** The global fetch, counted and timed (see `turnarounds`): the same for every setup. */
  const timedFetch: typeof fetch = async (input, init) => {
    attempts++;
    const sent = performance.now();
    if (lastAnswer >= 0) turnarounds.push(sent - lastAnswer);
    lastAnswer = -1;
    const response = await fetch(input, init);
    lastAnswer = performance.now();
    roundTrips.push(lastAnswer - sent);
    return response;
  };
  // The simulator limits concurrency only; CO3's documented 2 per second would make 400 requests
  // take 200 s, which is not what this measures (docs/limits.md, "Tuning for the benchmarks").
  const limits = store === undefined ? { rate: false as const } : { rate: false as const, store };
  const warmFetch = createTriageFetch({
    vendor: co3,
    limits: { ...limits, account: `warmup-${task.id}` },
  });
  const triageFetch = createTriageFetch({
    vendor: co3,
    limits,
    fetch: timedFetch,
    onEvent: (event: TriageEvent) => {
      if (event.type === 'limit') limitChanges++;
    },
  });
  const client = task.setup === 'baseline' ? timedFetch : triageFetch;

  const { apiKey } = DEMO_ACCOUNTS.co3;
  const body = (sessionKey: string, index: number): string =>
    `${DECLARATION}<command><setContact><api_key>${apiKey}</api_key>` +
    `<session_key>${sessionKey}</session_key>` +
    `<contact_lastname>Worker ${task.id} contact ${index}</contact_lastname></setContact></command>`;
  const warmKey = await openSession(task.warmupUrl);
  for (let i = 0; i < task.warmup; i++) {
    const response = await (task.setup === 'baseline' ? fetch : warmFetch)(
      `${task.warmupUrl}/api/crm`,
      { method: 'POST', headers: { 'content-type': XML }, body: body(warmKey, i) },
    );
    await response.text();
  }
  const sessionKey = await openSession(task.baseUrl);

  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    send({ type: 'ready' });
  });

  const started = performance.now();
  let next = 0;
  let successes = 0;
  let giveUps = 0;
  let firstError: string | undefined;
  const lane = async (): Promise<void> => {
    while (next < task.requests) {
      const index = next++;
      try {
        const response = await client(`${task.baseUrl}/api/crm`, {
          method: 'POST',
          headers: { 'content-type': XML },
          body: body(sessionKey, index),
        });
        const text = await response.text();
        if (!text.includes('<result>OK</result>')) throw new Error(`not OK: ${text.slice(0, 200)}`);
        successes++;
      } catch (error) {
        giveUps++;
        firstError ??= String(error);
      }
    }
  };
  const lanes = task.setup === 'baseline' ? 1 : task.concurrency;
  await Promise.all(Array.from({ length: lanes }, lane));
  send({
    type: 'done',
    successes,
    giveUps,
    attempts,
    elapsedMs: performance.now() - started,
    storeEvents,
    limitChanges,
    turnarounds,
    roundTrips,
    firstError,
  });
  await store?.close();
  await redis?.quit();
  process.disconnect?.();
}

await main(JSON.parse(process.argv[2] ?? '{}') as WorkerTask);
