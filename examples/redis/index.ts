// triage + @triage/redis: three worker processes call one CO3 account that serves 3 requests at
// once (a fourth gets code 8, "Too many requests in the same time"). Each worker is told the limit
// (`limits: { concurrency: 3 }`). Alone, each process allows 3 of its own, and together they send
// up to 9: CO3 refuses the excess, and each refusal waits CO3's 1 s before its retry. With one
// Redis store, the 3 slots are the account's, shared by every process, and shared fairly: each
// worker holds one from the start, none waits for another to finish.
//
// REDIS_URL=redis://127.0.0.1:6379 pnpm --filter @triage/example-redis start
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEMO_ACCOUNTS } from '@triage/testing';
import { startVendorSimulator } from '@triage/testing/node';
import type { WorkerReport, WorkerTask } from './worker.ts';

const WORKERS = 3;
const CONTACTS_PER_WORKER = 24;
const LANES = 4;
const CONCURRENCY = 3;
const SERVICE_TIME_MS = 25;

/** One scenario's outcome. */
export interface Scenario {
  shared: boolean;
  workers: WorkerReport[];
  /** The most requests CO3 served at once. */
  peak: number;
  /** Requests CO3 refused with code 8. */
  refused: number;
  /** Contacts CO3 wrote. */
  written: number;
  elapsedMs: number;
}

/** Opens a CO3 session before the clock starts: the example is about concurrency, not logins. */
async function openSession(baseUrl: string): Promise<string> {
  const { apiKey, username, passwordMd5 } = DEMO_ACCOUNTS.co3;
  const response = await fetch(`${baseUrl}/api/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body:
      `<?xml version="1.0" encoding="utf-8"?><command><authenticate><api_key>${apiKey}</api_key>` +
      `<username>${username}</username><password>${passwordMd5}</password></authenticate></command>`,
  });
  const text = await response.text();
  const key = /<session_key>(?:<!\[CDATA\[)?([^<\]]+)/.exec(text)?.[1];
  if (key === undefined) throw new Error(`CO3 authenticate answered ${response.status}`);
  return key;
}

/** Forks the workers, starts them together, and collects their reports. */
async function runScenario(redisUrl: string | undefined): Promise<Scenario> {
  const co3 = await startVendorSimulator({
    vendor: 'co3',
    concurrency: CONCURRENCY,
    serviceTimeMs: SERVICE_TIME_MS,
  });
  try {
    const sessionKey = await openSession(co3.url);
    co3.resetCounters();
    const worker = fileURLToPath(new URL('./worker.ts', import.meta.url));
    const children = Array.from({ length: WORKERS }, (_, id) => {
      const task: WorkerTask = {
        id,
        baseUrl: co3.url,
        sessionKey,
        redisUrl,
        concurrency: CONCURRENCY,
        contacts: CONTACTS_PER_WORKER,
        lanes: LANES,
      };
      return fork(worker, [JSON.stringify(task)], {
        execArgv: ['--conditions=@triage/source'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
    });
    const reports = children.map(
      (child) =>
        new Promise<WorkerReport>((resolve, reject) => {
          child.on('message', (message: { type: string; report?: WorkerReport }) => {
            if (message.type === 'done' && message.report) resolve(message.report);
          });
          child.once('exit', (code) => reject(new Error(`a worker exited with ${code}`)));
        }),
    );
    await Promise.all(
      children.map(
        (child) => new Promise<void>((resolve) => child.once('message', () => resolve())),
      ),
    );
    const exited = children.map(
      (child) => new Promise<void>((resolve) => child.once('exit', () => resolve())),
    );
    const started = performance.now();
    for (const child of children) child.send({ type: 'go' });
    const workers = await Promise.all(reports);
    const elapsedMs = performance.now() - started;
    // Each worker closes its store (its last releases reach Redis) and its connection first.
    await Promise.all(exited);
    const { peakConcurrency, throttled, sideEffects } = co3.counters;
    return {
      shared: redisUrl !== undefined,
      workers,
      peak: peakConcurrency,
      refused: throttled,
      written: sideEffects,
      elapsedMs,
    };
  } finally {
    await co3.close();
  }
}

function describe(scenario: Scenario, log: (line: string) => void): void {
  const total = WORKERS * CONTACTS_PER_WORKER;
  log(
    scenario.shared
      ? `Shared through Redis: one limit of ${CONCURRENCY} for the account`
      : `Each process alone: a limit of ${CONCURRENCY} per process`,
  );
  log(
    `  CO3 served at most ${scenario.peak} at once, refused ${scenario.refused} (code 8), ` +
      `wrote ${scenario.written} of ${total} contacts in ${(scenario.elapsedMs / 1000).toFixed(1)} s`,
  );
  for (const w of scenario.workers) {
    log(
      `  worker ${w.id}: ${w.saved} saved, first request at ${Math.round(w.firstSentMs)} ms, ` +
        `done at ${Math.round(w.lastAnsweredMs)} ms`,
    );
  }
}

/** Runs both scenarios; returns them so the example's test can check them. */
export async function main(
  redisUrl: string | undefined = process.env.REDIS_URL,
  log: (line: string) => void = console.log,
): Promise<{ alone: Scenario; shared: Scenario }> {
  if (redisUrl === undefined) throw new Error('set REDIS_URL, e.g. redis://127.0.0.1:6379');
  const alone = await runScenario(undefined);
  describe(alone, log);
  const shared = await runScenario(redisUrl);
  describe(shared, log);
  return { alone, shared };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
