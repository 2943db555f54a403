import { Worker } from 'node:worker_threads';
import { DEMO_ACCOUNTS, type SimulatedResponse, type SimulatorCounters } from '@triage/testing';
import type { StartVendorSimulatorOptions } from '@triage/testing/node';
import { expect, test } from 'vitest';
import type { LoadOrder, LoadReport } from './support/load-client-thread.ts';

// 10,000 concurrent requests through each adapter against the Fone Dynamics simulator, with
// mixed faults: resets before and after the vendor acted, cut and truncated bodies, empty bodies,
// proxy pages, 503s, validation errors, slow answers and hangs. Every request settles (a response
// or a VendorError, nothing else), nothing is left unhandled, unkeyed writes are never repeated,
// and the process's memory stays bounded. The adapter and the simulator each run on a thread of
// their own, so that vendor and client use separate cores as over a network, and the whole file
// stays well under a minute on two cores.

const REQUESTS = 10_000;
/** Attempts in flight per client, through triage's own limiter; the rest queue in triage. */
const IN_FLIGHT = 32;
/**
 * Peak RSS of the whole process (vitest's worker, the client and simulator threads): measured at
 * 505 to 745 MiB with 10,000 requests pending at once. Bodies are never buffered beyond the
 * classification prefix, so the bound does not depend on what the vendor sends.
 */
const MAX_RSS_MIB = 1024;

/**
 * One block of twenty answers, repeated over the run: nine faults of every kind, eleven normal
 * answers (`delayMs: 0` serves normally). Retries draw from the same queue, so the mix holds for
 * them too.
 */
const BLOCK: readonly SimulatedResponse[] = [
  { fault: 'reset' },
  { fault: 'reset-after' },
  { fault: 'mid-body' },
  { fault: 'truncated' },
  { fault: 'empty' },
  { fault: 'html', status: 502 },
  { status: 503, body: 'Service Unavailable', headers: { 'content-type': 'text/plain' } },
  { code: 'PARAMETER_REQUIRED', field: 'To' },
  { delayMs: 30 },
  ...Array.from({ length: 11 }, () => ({ delayMs: 0 })),
];
/** One hang per 500 answers: only the per-attempt timeout ends those attempts. */
const HANG_EVERY = 500;

const { accountSid, token, propertySid } = DEMO_ACCOUNTS.fonedynamics;

/** Starts `file` on a thread and answers with its first message. */
function thread<T>(file: string, data: unknown): { worker: Worker; first: Promise<T> } {
  const worker = new Worker(new URL(file, import.meta.url), { workerData: data });
  const first = new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, first };
}

/** Samples the process's RSS until stopped; `resourceUsage().maxRSS` covers between samples. */
function watchMemory(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
    },
  };
}

test.each(['axios', 'fetch', 'ky'] as const)(
  '%s: 10,000 concurrent requests with mixed faults all settle, memory bounded',
  async (adapter) => {
    const script: SimulatedResponse[] = [];
    for (let i = 0; i < REQUESTS / BLOCK.length; i++) {
      script.push(...BLOCK);
      if ((i * BLOCK.length) % HANG_EVERY === 0) script.push({ fault: 'hang' });
    }
    const options: StartVendorSimulatorOptions = { vendor: 'fonedynamics' };
    const simulator = thread<{ url: string }>('./support/simulator-thread.ts', { options, script });
    let load: ReturnType<typeof thread<LoadReport>> | undefined;
    let report: LoadReport;
    let counters: SimulatorCounters;
    let baselineMiB: number;
    let peakMiB = 0;
    let memory: ReturnType<typeof watchMemory> | undefined;
    try {
      const { url } = await simulator.first;
      baselineMiB = process.memoryUsage.rss() / 1024 / 1024;
      memory = watchMemory();
      const order: LoadOrder = {
        adapter,
        url,
        requests: REQUESTS,
        inFlight: IN_FLIGHT,
        accountSid,
        propertySid,
        authorization: `Basic ${btoa(`${accountSid}:${token}`)}`,
      };
      load = thread<LoadReport>('./support/load-client-thread.ts', order);
      report = await load.first;
      peakMiB = memory.stop() / 1024 / 1024;
      memory = undefined;
      const closed = new Promise<{ counters: SimulatorCounters }>((resolve) =>
        simulator.worker.once('message', resolve),
      );
      simulator.worker.postMessage('close');
      ({ counters } = await closed);
    } finally {
      memory?.stop();
      await Promise.all([load?.worker.terminate(), simulator.worker.terminate()]);
    }

    const ok = Object.values(report.resolved).reduce((sum, n) => sum + n, 0);
    const failed = Object.values(report.failed).reduce((sum, n) => sum + n, 0);
    console.log(
      `[load] ${adapter}: ${REQUESTS} requests in ${report.seconds.toFixed(1)} s; ` +
        `resolved ${JSON.stringify(report.resolved)}, VendorError ${JSON.stringify(report.failed)}; ` +
        `${counters.requests} reached the simulator, faults ${JSON.stringify(counters.faults)}; ` +
        `${report.events} events; RSS ${baselineMiB.toFixed(0)} MiB before, peak ${peakMiB.toFixed(0)} MiB`,
    );

    // The thread inherits vitest's `--conditions @triage/source`: it ran the sources, not dist/.
    expect(report.core).toMatch(/\/packages\/core\/src\/index\.ts$/);
    expect(report.strays).toEqual([]);
    expect(report.unhandled).toEqual([]);
    expect(ok + failed).toBe(REQUESTS);
    expect(Object.keys(report.resolved)).toEqual(['200']);
    // The mix really was mixed: successes, failures, and every kind of fault reached the client.
    expect(ok).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    expect(Object.keys(counters.faults).sort()).toEqual(
      ['empty', 'hang', 'html', 'mid-body', 'reset', 'reset-after', 'truncated'].sort(),
    );
    // Writes without an idempotency key are never repeated: at most one side effect each.
    const keyed = Object.values(counters.sideEffectsByKey).reduce((sum, n) => sum + n, 0);
    expect(counters.sideEffects - keyed).toBeLessThanOrEqual(report.unkeyedWrites);
    expect(peakMiB).toBeLessThan(MAX_RSS_MIB);
  },
  60_000,
);
