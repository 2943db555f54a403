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
   * The measured requests of a pair are sent in this many chunks per client, alternating
   * bare, triage, triage, bare, then triage, bare, bare, triage…, so a drift in the machine's
   * speed during the run weighs on both clients alike.
   */
  chunks: number;
  /** Untimed requests per client first (JIT, connection pool). */
  warmup: number;
}

const FULL: OverheadParams = { requests: 20_000, concurrency: 16, chunks: 10, warmup: 500 };
const QUICK: OverheadParams = { requests: 100, concurrency: 4, chunks: 2, warmup: 10 };

/** One adapter against its bare client. */
export interface OverheadRow {
  adapter: 'axios' | 'ky' | 'fetch';
  bare: string;
  bareRps: number;
  triageRps: number;
  /** 1 − triage / bare: the throughput triage costs. */
  loss: number;
  /**
   * This process's CPU time per request (user + system, all threads), bare and triage. Other
   * load on the machine slows the wall clock but not this, so it tells noise from overhead.
   */
  bareCpuUs: number;
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
  const bareAxios = axios.create();
  const triageAxios = axios.create();
  attachTriage(triageAxios, options);
  const bareKy = ky.create();
  const triageKy = withTriage(ky.create(), options);
  const triageFetch = createTriageFetch(options);
  const init = { method: 'POST', body: BODY, headers: HEADERS };
  return [
    {
      adapter: 'axios',
      bare: `axios ${versionOf('axios')}`,
      bareSend: async () =>
        expectResult((await bareAxios.post(url, BODY, { headers: HEADERS })).data),
      triageSend: async () =>
        expectResult((await triageAxios.post(url, BODY, { headers: HEADERS })).data),
    },
    {
      adapter: 'ky',
      bare: `ky ${versionOf('ky')}`,
      bareSend: async () =>
        expectResult(await bareKy.post(url, { body: BODY, headers: HEADERS }).json()),
      triageSend: async () =>
        expectResult(await triageKy.post(url, { body: BODY, headers: HEADERS }).json()),
    },
    {
      adapter: 'fetch',
      bare: `fetch (Node ${process.version})`,
      bareSend: async () => expectResult(await (await fetch(url, init)).json()),
      triageSend: async () => expectResult(await (await triageFetch(url, init)).json()),
    },
  ];
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
      await measure(pair.bareSend, params.warmup, params.concurrency);
      await measure(pair.triageSend, params.warmup, params.concurrency);
      const chunk = Math.ceil(params.requests / params.chunks);
      const bare = { elapsedMs: 0, cpuMs: 0, requests: 0, failures: 0, chunks: [] as number[] };
      const triage = { elapsedMs: 0, cpuMs: 0, requests: 0, failures: 0, chunks: [] as number[] };
      // ABBA, then BAAB: each client goes first as often as second.
      const order = Array.from({ length: params.chunks * 2 }, (_, index) => {
        const block = Math.floor(index / 4);
        const abba = [0, 3].includes(index % 4);
        return abba === (block % 2 === 0) ? 'bare' : 'triage';
      });
      for (const which of order) {
        const send = which === 'bare' ? pair.bareSend : pair.triageSend;
        const total = which === 'bare' ? bare : triage;
        const result = await measure(send, chunk, params.concurrency);
        total.elapsedMs += result.elapsedMs;
        total.cpuMs += result.cpuMs;
        total.requests += chunk;
        total.failures += result.failures;
        total.chunks.push(result.rps);
      }
      const bareRps = bare.requests / (bare.elapsedMs / 1000);
      const triageRps = triage.requests / (triage.elapsedMs / 1000);
      log(
        `overhead: ${pair.adapter}: ${formatNumber(bareRps)} vs ${formatNumber(triageRps)} req/s`,
      );
      rows.push({
        adapter: pair.adapter,
        bare: pair.bare,
        bareRps,
        triageRps,
        loss: 1 - triageRps / bareRps,
        bareCpuUs: (bare.cpuMs * 1000) / bare.requests,
        triageCpuUs: (triage.cpuMs * 1000) / triage.requests,
        bareRange: [Math.min(...bare.chunks), Math.max(...bare.chunks)],
        triageRange: [Math.min(...triage.chunks), Math.max(...triage.chunks)],
        failures: bare.failures + triage.failures,
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
      `${params.chunks} chunks interleaved with its pair's (bare, triage, triage, bare, then the ` +
      'other way round). triage runs with `{ vendor: simplybook }` and nothing else: limits, ' +
      'retry budget and circuit breaker at their defaults, and every 200 body read and classified. ' +
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
        { label: 'CPU µs/request, bare → triage', numeric: true },
        { label: 'bare chunks (req/s)', numeric: true },
        { label: 'triage chunks (req/s)', numeric: true },
      ],
      rows: rows.map((row) => [
        `triage + ${row.adapter}`,
        row.bare,
        formatNumber(row.bareRps),
        formatNumber(row.triageRps),
        formatPercent(row.loss),
        `${formatNumber(row.bareCpuUs)} → ${formatNumber(row.triageCpuUs)}`,
        range(row.bareRange),
        range(row.triageRange),
      ]),
    },
  };
}
