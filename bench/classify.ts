import type { ClassifyInput, VendorProfile } from '@triage/core';
import { co3, convio, fonedynamics, simplybook, voipnow } from '@triage/vendors';
import { type Fixture, loadFixture, loadFixtures } from '../packages/vendors/test/fixture.ts';
import type { BenchmarkReport } from './support/report.ts';
import { formatNumber } from './support/table.ts';
import { now } from './support/timing.ts';

/** Options of {@link runClassify}. */
export interface ClassifyOptions {
  quick?: boolean;
  log?: (line: string) => void;
}

/** One vendor's row. */
export interface ClassifyRow {
  vendor: string;
  success: string;
  successOps: number;
  error: string;
  errorOps: number;
  fixtures: number;
  allOps: number;
}

/**
 * Per vendor: a recorded success, a recorded vendor error (CO3's is code 8, the throttle), and
 * every recorded response of the vendor (`packages/vendors/test/fixtures`), as wire text.
 */
const CASES: readonly { profile: VendorProfile; success: string; error: string }[] = [
  { profile: co3, success: 'success-get-contact', error: 'error-8-too-many-requests' },
  { profile: convio, success: 'success-get-user-json', error: 'error-json-403-api-key' },
  { profile: fonedynamics, success: 'message-sent', error: 'parameter-required' },
  { profile: simplybook, success: 'login-token', error: 'client-email-wrong' },
  { profile: voipnow, success: 'phone-calls-list', error: 'expired-token' },
];

function inputOf(fixture: Fixture): ClassifyInput {
  return { status: fixture.status, headers: fixture.headers, body: fixture.body, method: 'POST' };
}

// Written to after every measurement, so no call's result is dead code the JIT may drop.
let sink = 0;

/**
 * Calls `profile.classify()` over `inputs` in turn for `ms` after `warmupMs` of the same, in
 * batches so reading the clock costs next to nothing; returns operations per second.
 */
function opsPerSecond(
  profile: VendorProfile,
  inputs: readonly ClassifyInput[],
  ms: number,
  warmupMs: number,
): number {
  const run = (forMs: number): number => {
    let calls = 0;
    let index = 0;
    const start = now();
    let elapsed = 0;
    do {
      for (let batch = 0; batch < 256; batch++) {
        const result = profile.classify(inputs[index]!);
        sink += result === undefined ? 1 : result.category.length;
        index = index + 1 === inputs.length ? 0 : index + 1;
      }
      calls += 256;
      elapsed = now() - start;
    } while (elapsed < forMs);
    return calls / (elapsed / 1000);
  };
  run(warmupMs);
  return run(ms);
}

/**
 * Benchmark 3b, `classify()` per vendor: operations per second of each profile on recorded
 * responses, in this process, one at a time.
 */
export async function runClassify(
  options: ClassifyOptions = {},
): Promise<BenchmarkReport<ClassifyRow>> {
  const ms = options.quick ? 10 : 200;
  const warmupMs = options.quick ? 5 : 50;
  const log = options.log ?? (() => {});
  const rows: ClassifyRow[] = [];
  for (const { profile, success, error } of CASES) {
    const all = loadFixtures(profile.name).map(inputOf);
    const row: ClassifyRow = {
      vendor: profile.name,
      success,
      successOps: opsPerSecond(
        profile,
        [inputOf(loadFixture(profile.name, success))],
        ms,
        warmupMs,
      ),
      error,
      errorOps: opsPerSecond(profile, [inputOf(loadFixture(profile.name, error))], ms, warmupMs),
      fixtures: all.length,
      allOps: opsPerSecond(profile, all, ms, warmupMs),
    };
    rows.push(row);
    log(`classify: ${profile.name}: ${formatNumber(row.allOps)} ops/s`);
    // Lets timers and I/O of the caller run between vendors: this loop never yields otherwise.
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (sink === 0) throw new Error('classify: nothing was classified');
  return {
    rows,
    targets: [],
    notes: [],
    setup:
      `\`profile.classify({ status, headers, body, method: 'POST' })\` on recorded responses ` +
      '(`packages/vendors/test/fixtures`, bodies as text), one call at a time, ' +
      `${ms} ms per figure after ${warmupMs} ms of warm-up. "every fixture" cycles through all of ` +
      "the vendor's recorded responses: successes, errors, proxy pages, truncated bodies.",
    table: {
      title: 'classify() per vendor',
      columns: [
        { label: 'vendor' },
        { label: 'success fixture' },
        { label: 'success (ops/s)', numeric: true },
        { label: 'error fixture' },
        { label: 'error (ops/s)', numeric: true },
        { label: 'every fixture (ops/s)', numeric: true },
        { label: 'fixtures', numeric: true },
      ],
      rows: rows.map((row) => [
        row.vendor,
        row.success,
        formatNumber(row.successOps),
        row.error,
        formatNumber(row.errorOps),
        formatNumber(row.allOps),
        String(row.fixtures),
      ]),
    },
  };
}
