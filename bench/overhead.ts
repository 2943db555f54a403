import { attachTriage } from '@triage/axios';
import { createTriageFetch } from '@triage/fetch';
import { withTriage } from '@triage/ky';
import { simplybook } from '@triage/vendors/simplybook';
import axios from 'axios';
import ky from 'ky';
import { startLoopbackServer } from './support/loopback.ts';
import { runPool } from './support/pool.ts';
import type { BenchmarkReport, TargetCheck } from './support/report.ts';
import { formatNumber, formatPercent } from './support/table.ts';
import { median } from './support/timing.ts';
import { versionOf } from './support/versions.ts';

/** Options of {@link runOverhead}. */
export interface OverheadOptions {
  quick?: boolean;
  log?: (line: string) => void;
}

/** The overhead benchmark's shape. */
export interface OverheadParams {
  /** Measured requests per client. */
  requests: number;
  concurrency: number;
  /**
   * The measured requests of an adapter's four clients (bare, a second bare one as the control,
   * triage without limits, triage) are sent in this many rounds of one short chunk each, the four
   * in a different order every round (four orders in turn, each client once in every place), so a
   * drift in the machine's speed during the run, and whatever going first or last in a round
   * costs, weigh on every client alike.
   */
  rounds: number;
  /** Untimed requests per client first (JIT, connection pool). */
  warmup: number;
}

const FULL: OverheadParams = { requests: 20_000, concurrency: 16, rounds: 48, warmup: 5_000 };
const QUICK: OverheadParams = { requests: 120, concurrency: 4, rounds: 8, warmup: 10 };

/** One adapter against its bare client. */
export interface OverheadRow {
  adapter: 'axios' | 'ky' | 'fetch';
  bare: string;
  bareRps: number;
  triageRps: number;
  /**
   * The throughput triage costs: 1 − the median over rounds of triage's throughput over bare's in
   * the same round.
   */
  loss: number;
  /**
   * 1 − control / bare, the control being a second bare client measured the same way: what the
   * method reports when there is nothing to find (its noise and bias on this machine, this run).
   */
  controlLoss: number;
  /**
   * The same loss for triage with `limits: false` (no concurrency limit, pacing, retry budget or
   * circuit breaker): the part of `loss` the engine and the adapter cost without the limits.
   */
  leanLoss: number;
  /**
   * This process's CPU time per request (user + system, all threads): bare, triage without limits
   * and triage. Other load on the machine slows the wall clock but not this, so it tells noise from
   * overhead.
   */
  bareCpuUs: number;
  leanCpuUs: number;
  triageCpuUs: number;
  /** The lowest and highest chunk throughputs, bare then triage. */
  bareRange: [number, number];
  triageRange: [number, number];
  /** Requests that failed (any would make the figures meaningless). */
  failures: number;
}

type Send = () => Promise<void>;

interface Pair {
  adapter: OverheadRow['adapter'];
  bare: string;
  bareSend: Send;
  /** The same as `bareSend` through a client of its own (another instance, or fetch itself). */
  controlSend: Send;
  /** triage with `limits: false`. */
  leanSend: Send;
  triageSend: Send;
}

// A JSON-RPC call as SimplyBook takes it. SimplyBook reports errors inside 200 bodies, so triage
// reads and classifies every success body: the most work its success path ever does.
const BODY = JSON.stringify({ jsonrpc: '2.0', method: 'getEventList', params: [], id: 1 });
const HEADERS = { 'content-type': 'application/json' };

function expectResult(data: unknown): void {
  if (typeof data !== 'object' || data === null || !('result' in data)) {
    throw new Error(`unexpected answer: ${JSON.stringify(data)}`);
  }
}

function pairs(url: string): Pair[] {
  const options = { vendor: simplybook };
  const lean = { ...options, limits: false as const };
  const bareAxios = axios.create();
  const controlAxios = axios.create();
  const leanAxios = axios.create();
  attachTriage(leanAxios, lean);
  const triageAxios = axios.create();
  attachTriage(triageAxios, options);
  const bareKy = ky.create();
  const controlKy = ky.create();
  const leanKy = withTriage(ky.create(), lean);
  const triageKy = withTriage(ky.create(), options);
  const leanFetch = createTriageFetch(lean);
  const triageFetch = createTriageFetch(options);
  const init = { method: 'POST', body: BODY, headers: HEADERS };
  return [
    {
      adapter: 'axios',
      bare: `axios ${versionOf('axios')}`,
      bareSend: async () =>
        expectResult((await bareAxios.post(url, BODY, { headers: HEADERS })).data),
      controlSend: async () =>
        expectResult((await controlAxios.post(url, BODY, { headers: HEADERS })).data),
      leanSend: async () =>
        expectResult((await leanAxios.post(url, BODY, { headers: HEADERS })).data),
      triageSend: async () =>
        expectResult((await triageAxios.post(url, BODY, { headers: HEADERS })).data),
    },
    {
      adapter: 'ky',
      bare: `ky ${versionOf('ky')}`,
      bareSend: async () =>
        expectResult(await bareKy.post(url, { body: BODY, headers: HEADERS }).json()),
      controlSend: async () =>
        expectResult(await controlKy.post(url, { body: BODY, headers: HEADERS }).json()),
      leanSend: async () =>
        expectResult(await leanKy.post(url, { body: BODY, headers: HEADERS }).json()),
      triageSend: async () =>
        expectResult(await triageKy.post(url, { body: BODY, headers: HEADERS }).json()),
    },
    {
      adapter: 'fetch',
      bare: `fetch (Node ${process.version})`,
      bareSend: async () => expectResult(await (await fetch(url, init)).json()),
      controlSend: async () => expectResult(await (await fetch(url, { ...init })).json()),
      leanSend: async () => expectResult(await (await leanFetch(url, init)).json()),
      triageSend: async () => expectResult(await (await triageFetch(url, init)).json()),
    },
  ];
}

type Client = 'bare' | 'control' | 'lean' | 'triage';

/**
 * The four clients' orders: round `r` sends them in `ORDERS[r % 4]`. A Williams square: each
 * client comes once in every place, and once right after each of the others.
 */
const ORDERS: readonly (readonly Client[])[] = [
  ['bare', 'control', 'triage', 'lean'],
  ['control', 'lean', 'bare', 'triage'],
  ['lean', 'triage', 'control', 'bare'],
  ['triage', 'bare', 'lean', 'control'],
];

interface Total {
  elapsedMs: number;
  cpuMs: number;
  requests: number;
  failures: number;
  /** Each chunk's throughput. */
  chunks: number[];
}

function newTotal(): Total {
  return { elapsedMs: 0, cpuMs: 0, requests: 0, failures: 0, chunks: [] };
}

interface Measured {
  rps: number;
  elapsedMs: number;
  cpuMs: number;
  failures: number;
}

/** Runs `requests` sends with `concurrency` workers: throughput, CPU time, failures. */
async function measure(send: Send, requests: number, concurrency: number): Promise<Measured> {
  const cpu = process.cpuUsage();
  const result = await runPool({ concurrency, total: requests, task: () => send() });
  const { user, system } = process.cpuUsage(cpu);
  return {
    rps: requests / (result.elapsedMs / 1000),
    elapsedMs: result.elapsedMs,
    cpuMs: (user + system) / 1000,
    failures: result.giveUps,
  };
}

/**
 * Benchmark 3, success-path overhead: every adapter against its bare client in the same run, on a
 * loopback server in a child process that answers at once. `requests` per client at `concurrency`.
 */
export async function runOverhead(
  options: OverheadOptions = {},
): Promise<BenchmarkReport<OverheadRow>> {
  const params = options.quick ? QUICK : FULL;
  const log = options.log ?? (() => {});
  const server = await startLoopbackServer();
  const rows: OverheadRow[] = [];
  try {
    for (const pair of pairs(server.url)) {
      const clients: Record<Client, Send> = {
        bare: pair.bareSend,
        control: pair.controlSend,
        lean: pair.leanSend,
        triage: pair.triageSend,
      };
      for (const send of Object.values(clients))
        await measure(send, params.warmup, params.concurrency);
      const chunk = Math.ceil(params.requests / params.rounds);
      const totals: Record<Client, Total> = {
        bare: newTotal(),
        control: newTotal(),
        lean: newTotal(),
        triage: newTotal(),
      };
      for (let round = 0; round < params.rounds; round++) {
        for (const which of ORDERS[round % ORDERS.length]!) {
          const result = await measure(clients[which], chunk, params.concurrency);
          const total = totals[which];
          total.elapsedMs += result.elapsedMs;
          total.cpuMs += result.cpuMs;
          total.requests += chunk;
          total.failures += result.failures;
          total.chunks.push(result.rps);
        }
      }
      const rps = (total: Total): number => total.requests / (total.elapsedMs / 1000);
      const { bare, control, lean, triage } = totals;
      // Within a round the three chunks ran back to back: their ratio cancels the machine's drift,
      // and the median over rounds ignores the rounds a stall of the machine fell into.
      const lossOf = (other: Total): number =>
        1 - median(other.chunks.map((value, round) => value / bare.chunks[round]!));
      log(
        `overhead: ${pair.adapter}: ${formatNumber(rps(bare))} (control ${formatNumber(rps(control))}) vs ${formatNumber(rps(triage))} req/s`,
      );
      rows.push({
        adapter: pair.adapter,
        bare: pair.bare,
        bareRps: rps(bare),
        triageRps: rps(triage),
        loss: lossOf(triage),
        controlLoss: lossOf(control),
        leanLoss: lossOf(lean),
        bareCpuUs: (bare.cpuMs * 1000) / bare.requests,
        leanCpuUs: (lean.cpuMs * 1000) / lean.requests,
        triageCpuUs: (triage.cpuMs * 1000) / triage.requests,
        bareRange: [Math.min(...bare.chunks), Math.max(...bare.chunks)],
        triageRange: [Math.min(...triage.chunks), Math.max(...triage.chunks)],
        failures: bare.failures + control.failures + lean.failures + triage.failures,
      });
    }
  } finally {
    await server.close();
  }
  const range = ([low, high]: [number, number]): string =>
    `${formatNumber(low)}–${formatNumber(high)}`;
  return {
    rows,
    targets: rows.map(
      (row): TargetCheck => ({
        target: `triage + ${row.adapter}: ≤ 3% throughput loss against ${row.bare}`,
        measured: formatPercent(row.loss),
        met: row.failures === 0 && row.loss <= 0.03,
      }),
    ),
    notes: rows
      .filter((row) => row.failures > 0)
      .map((row) => `${row.adapter}: ${row.failures} requests failed; its figures are not valid.`),
    setup:
      `A loopback HTTP server in a child process answers a POSTed JSON-RPC call with a 200 JSON ` +
      `body at once. Each client sends ${formatNumber(params.requests)} measured requests from ` +
      `${params.concurrency} workers, after ${formatNumber(params.warmup)} untimed ones, in ` +
      `${params.rounds} rounds of one chunk per client (bare, control, triage without limits, ` +
      'triage), each round in another of four orders (each client once in every place). Loss is 1 − the median over rounds of the client’s throughput ' +
      'over bare’s in the same round (req/s columns: all chunks together). The control is a second bare client measured the same way: its ' +
      '"loss" is what the method reports when there is nothing to find, the noise to read the ' +
      'triage column against. triage runs with `{ vendor: simplybook }` and nothing else: limits, ' +
      'retry budget and circuit breaker at their defaults, and every 200 body read and classified; ' +
      'the `limits: false` client is the same without limits, retry budget and breaker, so the ' +
      'two columns split triage’s cost between its limits and the rest. ' +
      'Chunk ranges show how steady the machine was; CPU time per request is this process’s, ' +
      'which other load on the machine does not inflate.',
    table: {
      title: 'Success-path overhead (loopback)',
      columns: [
        { label: 'adapter' },
        { label: 'bare client' },
        { label: 'bare (req/s)', numeric: true },
        { label: 'triage (req/s)', numeric: true },
        { label: 'throughput loss', numeric: true },
        { label: 'control: bare vs bare', numeric: true },
        { label: 'loss with `limits: false`', numeric: true },
        { label: 'CPU µs/request, bare → `limits: false` → triage', numeric: true },
        { label: 'bare chunks (req/s)', numeric: true },
        { label: 'triage chunks (req/s)', numeric: true },
      ],
      rows: rows.map((row) => [
        `triage + ${row.adapter}`,
        row.bare,
        formatNumber(row.bareRps),
        formatNumber(row.triageRps),
        formatPercent(row.loss),
        formatPercent(row.controlLoss),
        formatPercent(row.leanLoss),
        `${formatNumber(row.bareCpuUs)} → ${formatNumber(row.leanCpuUs)} → ${formatNumber(row.triageCpuUs)}`,
        range(row.bareRange),
        range(row.triageRange),
      ]),
    },
  };
}
