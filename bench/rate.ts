import { fonedynamics } from '@triage/vendors/fonedynamics';
import type { ClientFactory } from './clients/client.ts';
import { axiosRetryClient, kyClient, pRetryClient } from './clients/peers.ts';
import { triageClients } from './clients/triage.ts';
import { fonedynamicsAccountCall } from './support/fonedynamics.ts';
import { runPool } from './support/pool.ts';
import type { BenchmarkReport, TargetCheck } from './support/report.ts';
import {
  type RemoteSimulator,
  type SimulatorHost,
  startSimulatorHost,
} from './support/simulator-process.ts';
import { formatNumber, formatPercent } from './support/table.ts';
import { now, settle } from './support/timing.ts';

/** Options of {@link runRate}. */
export interface RateOptions {
  quick?: boolean;
  log?: (line: string) => void;
}

/** The rate benchmark's shape. */
export interface RateParams {
  /** Requests per second the simulator accepts per account. */
  limit: number;
  clientConcurrency: number;
  /** New requests stop after this long. */
  durationMs: number;
  /** The rate is measured from here to `durationMs`: the first second is for learning. */
  measureFromMs: number;
  /** Requests under way at `durationMs` may finish for this long, then they are aborted. */
  graceMs: number;
  /** Untimed requests each client sends first, against an unlimited simulator. */
  warmup: number;
}

const FULL: RateParams = {
  limit: 100,
  clientConcurrency: 16,
  durationMs: 3000,
  measureFromMs: 1000,
  graceMs: 500,
  warmup: 100,
};

const QUICK: RateParams = {
  limit: 100,
  clientConcurrency: 4,
  durationMs: 150,
  measureFromMs: 50,
  graceMs: 50,
  warmup: 8,
};

/** One client's row. */
export interface RateRow {
  client: string;
  setup: string;
  /** Accepted requests per second between `measureFromMs` and `durationMs`. */
  acceptedPerSecond: number;
  /** `acceptedPerSecond` / the limit. */
  shareOfLimit: number;
  /** Rejected attempts / all attempts in the same window. */
  rejectedShare: number;
  /** Over the whole run, grace included. */
  attempts: number;
  successes: number;
  giveUps: number;
  unfinished: number;
  agrees: boolean;
  disagreement: string | undefined;
}

interface Snapshot {
  at: number;
  accepted: number;
  rejected: number;
}

async function warm(host: SimulatorHost, factory: ClientFactory, requests: number): Promise<void> {
  const sim = await host.start({ vendor: 'fonedynamics' });
  try {
    const client = factory(fonedynamicsAccountCall(sim.url));
    await runPool({
      concurrency: 4,
      total: requests,
      task: (index, signal) => client.send(index, signal),
    });
  } finally {
    await sim.close();
  }
}

/** The simulator's counts now: `at` is the middle of the IPC round trip that read them. */
async function snapshot(sim: RemoteSimulator): Promise<Snapshot> {
  const before = now();
  const { accepted, rejected } = await sim.counters();
  return { at: (before + now()) / 2, accepted, rejected };
}

async function runOnce(
  host: SimulatorHost,
  factory: ClientFactory,
  params: RateParams,
): Promise<RateRow> {
  const sim = await host.start({ vendor: 'fonedynamics', rate: params.limit });
  try {
    const client = factory(fonedynamicsAccountCall(sim.url));
    const stop = new AbortController();
    const abort = new AbortController();
    let first: Promise<Snapshot> | undefined;
    let last: Promise<Snapshot> | undefined;
    let grace: NodeJS.Timeout | undefined;
    const measure = setTimeout(() => {
      first = snapshot(sim);
    }, params.measureFromMs);
    const end = setTimeout(() => {
      last = snapshot(sim);
      stop.abort();
      grace = setTimeout(
        () => abort.abort(new Error('stopped after the grace period')),
        params.graceMs,
      );
    }, params.durationMs);
    const pool = await runPool({
      concurrency: params.clientConcurrency,
      total: Number.POSITIVE_INFINITY,
      stop: stop.signal,
      abort: abort.signal,
      task: (index, signal) => client.send(index, signal),
    });
    clearTimeout(measure);
    clearTimeout(end);
    clearTimeout(grace);
    if (first === undefined || last === undefined) throw new Error('rate: a snapshot is missing');
    const [from, to] = await Promise.all([first, last]);
    const accepted = to.accepted - from.accepted;
    const rejected = to.rejected - from.rejected;
    const perSecond = accepted / ((to.at - from.at) / 1000);
    const { accepted: totalAccepted, rejected: totalRejected } = await sim.counters();
    const problems: string[] = [];
    if (pool.successes !== totalAccepted) {
      problems.push(`successes ${pool.successes} ≠ simulator accepted ${totalAccepted}`);
    }
    if (client.count.attempts !== totalAccepted + totalRejected) {
      problems.push(
        `attempts ${client.count.attempts} ≠ simulator accepted + rejected ${totalAccepted + totalRejected}`,
      );
    }
    return {
      client: client.name,
      setup: client.setup,
      acceptedPerSecond: perSecond,
      shareOfLimit: perSecond / params.limit,
      rejectedShare: accepted + rejected === 0 ? 0 : rejected / (accepted + rejected),
      attempts: client.count.attempts,
      successes: pool.successes,
      giveUps: pool.giveUps,
      unfinished: pool.unfinished,
      agrees: problems.length === 0,
      disagreement: problems.length === 0 ? undefined : problems.join('; '),
    };
  } finally {
    await sim.close();
    await settle();
  }
}

/**
 * Benchmark 2, a rate-limited vendor: Fone Dynamics allowing 100 requests per second per account
 * (a sliding window), 16 workers reading the account as fast as they are let. triage is told the
 * documented rate (`limits.rate`); one more row shows it without, to show what pacing buys.
 */
export async function runRate(options: RateOptions = {}): Promise<BenchmarkReport<RateRow>> {
  const params = options.quick ? QUICK : FULL;
  const log = options.log ?? (() => {});
  const rate = { requests: params.limit, perMs: 1000 };
  const paced = triageClients(
    { vendor: fonedynamics, limits: { rate } },
    `fonedynamics profile, limits: { rate: ${params.limit}/s }`,
  );
  const unpaced = triageClients(
    { vendor: fonedynamics },
    'fonedynamics profile, defaults (no rate)',
  );
  const factories: ClientFactory[] = [
    paced.axios,
    paced.ky,
    paced.fetch,
    unpaced.fetch,
    axiosRetryClient,
    kyClient,
    pRetryClient,
  ];
  const rows: RateRow[] = [];
  const notes: string[] = [];
  const host = await startSimulatorHost();
  try {
    for (const factory of factories) {
      await warm(host, factory, params.warmup);
      const row = await runOnce(host, factory, params);
      rows.push(row);
      log(`rate: ${row.client} (${row.setup}): ${formatNumber(row.acceptedPerSecond, 1)}/s`);
      if (row.disagreement !== undefined) {
        notes.push(
          `${row.client} (${row.setup}): client and simulator disagree: ${row.disagreement}.`,
        );
      }
    }
  } finally {
    await host.close();
  }
  const window = `${formatNumber(params.measureFromMs / 1000, 1)}–${formatNumber(params.durationMs / 1000, 1)} s`;
  return {
    rows,
    targets: rateTargets(rows, params),
    notes,
    setup:
      `Fone Dynamics simulator (in a child process) accepting ${params.limit} requests per second per account (sliding ` +
      `window); GET /v2/Accounts/{sid} from ${params.clientConcurrency} workers for ` +
      `${formatNumber(params.durationMs / 1000, 1)} s. Rates and rejections are measured over ` +
      `${window} from the simulator's counters; attempts and give-ups cover the whole run ` +
      `(requests still waiting ${formatNumber(params.graceMs)} ms after the end count as unfinished).`,
    table: {
      title: `Rate-limited vendor (Fone Dynamics, ${params.limit}/s)`,
      columns: [
        { label: 'client' },
        { label: 'configuration' },
        { label: `accepted/s (${window})`, numeric: true },
        { label: 'of the limit', numeric: true },
        { label: 'rejected / attempts', numeric: true },
        { label: 'attempts', numeric: true },
        { label: 'give-ups', numeric: true },
        { label: 'client = simulator' },
      ],
      rows: rows.map((row) => [
        row.client,
        row.setup,
        formatNumber(row.acceptedPerSecond, 1),
        formatPercent(row.shareOfLimit),
        formatPercent(row.rejectedShare),
        formatNumber(row.attempts),
        row.unfinished > 0 ? `${row.giveUps} (+${row.unfinished} unfinished)` : String(row.giveUps),
        row.agrees ? 'yes' : 'NO',
      ]),
    },
  };
}

/** The targets, for triage told the rate. */
function rateTargets(rows: readonly RateRow[], params: RateParams): TargetCheck[] {
  return rows
    .filter((row) => row.client.startsWith('triage') && row.setup.includes('rate:'))
    .flatMap((row) => [
      {
        target: `${row.client}: ≥ 95% of ${params.limit}/s after the first second`,
        measured: `${formatNumber(row.acceptedPerSecond, 1)}/s (${formatPercent(row.shareOfLimit)})`,
        met: row.shareOfLimit >= 0.95,
      },
      {
        target: `${row.client}: ≤ 2% rejected after the first second`,
        measured: formatPercent(row.rejectedShare),
        met: row.rejectedShare <= 0.02,
      },
    ]);
}
