// One worker process of the example: a CO3 client whose concurrency limit lives in Redis (or, for
// the comparison, in its own memory). It sends its contacts a few at a time and reports back.
import { createTriageFetch } from '@triage/fetch';
import { createRedisStore } from '@triage/redis';
import { DEMO_ACCOUNTS } from '@triage/testing';
import { co3 } from '@triage/vendors/co3';
import { Redis } from 'ioredis';

/** What the parent asks of a worker (argv[2], as JSON). */
export interface WorkerTask {
  id: number;
  /** The CO3 simulator's base URL and a session key it issued. */
  baseUrl: string;
  sessionKey: string;
  /** Redis's URL, or none: the limit is then this process's own. */
  redisUrl: string | undefined;
  /** The account's limit, as its owner knows it: requests at once. */
  concurrency: number;
  contacts: number;
  /** Requests this worker has under way at once (its own callers). */
  lanes: number;
}

/** Worker → parent, once every contact is sent. */
export interface WorkerReport {
  id: number;
  saved: number;
  failed: number;
  /** When this worker's first request left and its last answer came, from the parent's `go`. */
  firstSentMs: number;
  lastAnsweredMs: number;
}

const XML = 'text/xml; charset=utf-8';

async function main(task: WorkerTask): Promise<void> {
  const redis = task.redisUrl === undefined ? undefined : new Redis(task.redisUrl);
  // One store per process; its clientId names its leases in Redis. Redis answers in well under a
  // millisecond here, but the example also runs in its test beside other work: a call waits up to
  // 1 s (not the default 100 ms) before this process falls back to limits of its own.
  const store =
    redis === undefined
      ? undefined
      : createRedisStore({ redis, clientId: `example-worker-${task.id}`, timeoutMs: 1000 });
  let firstSentMs = Number.NaN;
  let go = 0;
  const fetchCo3 = createTriageFetch({
    vendor: co3,
    // CO3 documents 2 requests a second per account, which would make the example slow: what it
    // shows is the concurrency limit, shared (or not) by the processes.
    limits: { concurrency: task.concurrency, rate: false, ...(store ? { store } : {}) },
    fetch: (input, init) => {
      if (Number.isNaN(firstSentMs)) firstSentMs = performance.now() - go;
      return fetch(input, init);
    },
  });
  const { apiKey } = DEMO_ACCOUNTS.co3;
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send?.({ type: 'ready' });
  });
  go = performance.now();
  let next = 0;
  let saved = 0;
  let failed = 0;
  const lane = async (): Promise<void> => {
    while (next < task.contacts) {
      const index = next++;
      const body =
        `<?xml version="1.0" encoding="utf-8"?><command><setContact><api_key>${apiKey}</api_key>` +
        `<session_key>${task.sessionKey}</session_key>` +
        `<contact_lastname>Worker ${task.id} contact ${index}</contact_lastname></setContact></command>`;
      try {
        const response = await fetchCo3(`${task.baseUrl}/api/crm`, {
          method: 'POST',
          headers: { 'content-type': XML },
          body,
        });
        await response.text();
        saved++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: task.lanes }, lane));
  const report: WorkerReport = {
    id: task.id,
    saved,
    failed,
    firstSentMs,
    lastAnsweredMs: performance.now() - go,
  };
  process.send?.({ type: 'done', report });
  // The last releases reach Redis before the connection ends.
  await store?.close();
  await redis?.quit();
  process.disconnect?.();
}

await main(JSON.parse(process.argv[2] ?? '{}') as WorkerTask);
