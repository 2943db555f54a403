// `node --conditions=@triage/source bench/redis.ts [--runs N]`: 4 worker processes share one
// simulated CO3 account (4 concurrent calls allowed, 20 ms each), 100 setContact POSTs each with 8
// at a time, with triage's limits in one Redis (@triage/redis) and, for comparison, each in its
// own memory; plus the reference no limiter can beat on this machine: plain fetch, one at a time
// per worker. Prints a Markdown table on stdout; progress goes to stderr.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startVendorSimulator } from '@triage/testing/node';
import { Redis } from 'ioredis';
import { startRedisServer } from '../packages/redis/test/support/redis-server.ts';
import type { Setup, WorkerMessage, WorkerTask } from './redis/worker.ts';

const WORKERS = 4;
const REQUESTS_PER_WORKER = 100;
const CLIENT_CONCURRENCY = 8;
const VENDOR_CONCURRENCY = 4;
const SERVICE_TIME_MS = 20;
/** 400 calls through 4 slots of 20 ms each, back to back. */
const FLOOR_MS = ((WORKERS * REQUESTS_PER_WORKER) / VENDOR_CONCURRENCY) * SERVICE_TIME_MS;
/** Untimed requests per worker first, against another simulator (JIT warm-up). */
const WARMUP = 200;
const TARGET = { rejectedPerSuccess: 0.05, ratio: 1.2 };
const SETUPS: readonly Setup[] = ['redis', 'memory', 'baseline'];
const LABELS: Record<Setup, string> = {
  redis: 'triage, limits shared in Redis',
  memory: 'triage, limits per process (memory)',
  baseline: 'reference: plain fetch, 1 at a time per worker',
};

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 1) : 3;
const WORKER = fileURLToPath(new URL('./redis/worker.ts', import.meta.url));

type Done = Extract<WorkerMessage, { type: 'done' }>;

interface Run {
  timeMs: number;
  successes: number;
  giveUps: number;
  attempts: number;
  /** Calls the simulator refused (CO3 code 8). */
  rejected: number;
  peak: number;
  storeEvents: number;
  /** The simulator's slot time, ms: how long served calls held its slots, added up. */
  busyMs: number;
  /** Median turnaround over all workers' calls, ms (see `turnarounds` in the worker). */
  turnaroundMs: number;
  /**
   * The 90th percentile turnaround, ms: the tail of a worker's own work (a wait for a core, a
   * collection) shows here; the few waits for another process's slot stay above it.
   */
  p90TurnaroundMs: number;
  /** Median transport round trip over all workers' calls, ms. */
  roundTripMs: number;
  firstError: string | undefined;
}

/** Forks the workers, starts them together once all are warm, and collects their reports. */
async function runWorkers(task: Omit<WorkerTask, 'id'>): Promise<Done[]> {
  const children = Array.from({ length: WORKERS }, (_, id) =>
    fork(WORKER, [JSON.stringify({ ...task, id } satisfies WorkerTask)], {
      execArgv: ['--conditions=@triage/source'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const reports = children.map(
    (child) =>
      new Promise<Done>((resolve, reject) => {
        child.on('message', (message: WorkerMessage) => {
          if (message.type === 'done') resolve(message);
        });
        child.once('exit', (code) => reject(new Error(`a worker exited with ${code}`)));
      }),
  );
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          child.once('message', () => resolve());
          child.once('exit', (code) => reject(new Error(`a worker exited with ${code}`)));
        }),
    ),
  );
  for (const child of children) child.send({ type: 'go' });
  return Promise.all(reports);
}

/** The vendor's capacity over a run, in slot-milliseconds: its slots times the run's time. */
function capacity(run: Run): number {
  return VENDOR_CONCURRENCY * run.timeMs;
}

/** The `q` quantile of some samples (`NaN` for none). */
function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length * q)]!;
}

function median(runs: readonly Run[]): Run {
  return [...runs].sort((a, b) => a.timeMs - b.timeMs)[Math.floor(runs.length / 2)]!;
}

async function main(): Promise<void> {
  const co3 = await startVendorSimulator({
    vendor: 'co3',
    concurrency: VENDOR_CONCURRENCY,
    serviceTimeMs: SERVICE_TIME_MS,
  });
  const warm = await startVendorSimulator({ vendor: 'co3' });
  const server = await startRedisServer();
  const admin = new Redis({ host: '127.0.0.1', port: server.port });
  const results: Record<Setup, Run[]> = { redis: [], memory: [], baseline: [] };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const setup of SETUPS) {
        // Every run discovers the limit from scratch: no state from the run before.
        await admin.flushall();
        co3.resetCounters();
        const reports = await runWorkers({
          setup,
          baseUrl: co3.url,
          warmupUrl: warm.url,
          warmup: WARMUP,
          redisPort: server.port,
          requests: REQUESTS_PER_WORKER,
          concurrency: CLIENT_CONCURRENCY,
        });
        const sum = (pick: (r: Done) => number): number =>
          reports.reduce((total, r) => total + pick(r), 0);
        const result: Run = {
          // The workers start together: the run ends with the last one's last answer.
          timeMs: Math.max(...reports.map((r) => r.elapsedMs)),
          successes: sum((r) => r.successes),
          giveUps: sum((r) => r.giveUps),
          attempts: sum((r) => r.attempts),
          rejected: co3.counters.throttled,
          peak: co3.counters.peakConcurrency,
          busyMs: co3.counters.busyMs,
          storeEvents: sum((r) => r.storeEvents),
          turnaroundMs: quantile(
            reports.flatMap((r) => r.turnarounds),
            0.5,
          ),
          p90TurnaroundMs: quantile(
            reports.flatMap((r) => r.turnarounds),
            0.9,
          ),
          roundTripMs: quantile(
            reports.flatMap((r) => r.roundTrips),
            0.5,
          ),
          firstError: reports.find((r) => r.firstError !== undefined)?.firstError,
        };
        results[setup].push(result);
        console.error(
          `  … ${setup} run ${run + 1}: ${(result.timeMs / 1000).toFixed(2)} s, ` +
            `${result.rejected} rejected, ${result.giveUps} give-ups` +
            (result.firstError === undefined ? '' : ` (${result.firstError})`),
        );
      }
    }
  } finally {
    admin.disconnect();
    await server.stop();
    await co3.close();
    await warm.close();
  }

  const baseline = median(results.baseline);
  console.log(
    `## Shared limits across processes (@triage/redis)\n\n` +
      `${WORKERS} worker processes, one CO3 account (simulator: ${VENDOR_CONCURRENCY} concurrent ` +
      `calls, ${SERVICE_TIME_MS} ms each), ${REQUESTS_PER_WORKER} setContact POSTs per worker, ` +
      `${CLIENT_CONCURRENCY} at a time; \`limits: { rate: false }\`, defaults otherwise. Floor = ` +
      `${WORKERS * REQUESTS_PER_WORKER} / ${VENDOR_CONCURRENCY} × ${SERVICE_TIME_MS} ms = ` +
      `${(FLOOR_MS / 1000).toFixed(1)} s. Median of ${RUNS} run(s) by time; every run starts ` +
      `cold (empty Redis, new processes, after ${WARMUP} untimed requests per worker elsewhere).\n`,
  );
  console.log(
    '| client | time | time / floor | time / reference | rejected per success | give-ups | attempts | peak at vendor | store events | vendor busy | idle per call | turnaround, median / p90 | round trip |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const setup of SETUPS) {
    const m = median(results[setup]);
    console.log(
      `| ${LABELS[setup]} | ${(m.timeMs / 1000).toFixed(2)} s | ` +
        `${(m.timeMs / FLOOR_MS).toFixed(2)}× | ${(m.timeMs / baseline.timeMs).toFixed(2)}× | ` +
        `${(m.rejected / Math.max(1, m.successes)).toFixed(3)} | ${m.giveUps} | ${m.attempts} | ` +
        `${m.peak} | ${m.storeEvents} | ${((100 * m.busyMs) / capacity(m)).toFixed(1)}% | ` +
        `${((capacity(m) - m.busyMs) / Math.max(1, m.successes)).toFixed(2)} ms | ` +
        `${m.turnaroundMs.toFixed(2)} / ${m.p90TurnaroundMs.toFixed(2)} ms | ${m.roundTripMs.toFixed(1)} ms |`,
    );
  }
  const redis = median(results.redis);
  const perSuccess = redis.rejected / Math.max(1, redis.successes);
  const ratio = redis.timeMs / FLOOR_MS;
  console.log(
    `\nTargets with Redis: ≤ ${TARGET.rejectedPerSuccess} rejected per success: ` +
      `${perSuccess.toFixed(3)} (${perSuccess <= TARGET.rejectedPerSuccess ? 'met' : 'NOT met'}); ` +
      `≤ ${TARGET.ratio}× the floor: ${ratio.toFixed(2)}× ` +
      `(${ratio <= TARGET.ratio ? 'met' : 'NOT met'}; the reference is at ` +
      `${(baseline.timeMs / FLOOR_MS).toFixed(2)}× on this machine); give-ups: ${redis.giveUps}.`,
  );
  console.log(
    "\nVendor busy: the simulator's slot time (calls holding a slot, added up) over its " +
      `capacity (${VENDOR_CONCURRENCY} slots × the run's time); idle per call: the capacity left ` +
      'unused, per successful call (the start, the gaps between one call leaving a slot and the ' +
      "next taking it, the end). Turnaround: median and 90th percentile time from an answer to the same worker's " +
      'next call (reading and classifying the answer, telling the store, handing the slot on); ' +
      'round trip: median time from a call to its response, at the vendor and on the way. With one ' +
      'slot per worker, each call costs about one of each, so the turnarounds add to the run what ' +
      'the floor leaves out.',
  );
}

await main();
