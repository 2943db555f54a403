// The benchmarks stay out of the test suite; this runs their `--quick` versions once, to catch a
// benchmark that no longer runs or prints malformed rows. It checks shapes, never the targets:
// quick runs are too small for their figures to mean anything.
import { describe, expect, test } from 'vitest';
import { runClassify } from '../bench/classify.ts';
import { runOverhead } from '../bench/overhead.ts';
import { runRate } from '../bench/rate.ts';
import { runStorm } from '../bench/storm.ts';
import { parseArgs } from '../bench/support/args.ts';
import type { BenchmarkReport } from '../bench/support/report.ts';
import { renderTable } from '../bench/support/table.ts';

/** Every row has one non-empty cell per column, and no figure came out as NaN or Infinity. */
function expectWellFormed<Row>(report: BenchmarkReport<Row>, rows: number): void {
  const { table } = report;
  expect(report.rows).toHaveLength(rows);
  expect(table.rows).toHaveLength(rows);
  for (const row of table.rows) {
    expect(row).toHaveLength(table.columns.length);
    for (const cell of row) {
      expect(cell).not.toBe('');
      expect(cell).not.toMatch(/NaN|Infinity/);
    }
  }
  const rendered = renderTable(table).split('\n');
  // Title, blank line, header, rule, rows.
  expect(rendered).toHaveLength(4 + rows);
  expect(new Set(rendered.slice(2).map((line) => line.length)).size).toBe(1);
}

// Concurrent: each benchmark has its own servers, and a quick run's timings are not checked.
describe.concurrent('pnpm bench --quick', () => {
  test('parses its arguments', () => {
    expect(parseArgs([])).toEqual({
      selected: ['storm', 'rate', 'overhead', 'classify'],
      quick: false,
      uncapped: false,
    });
    expect(parseArgs(['--', 'rate', 'storm', '--quick'])).toEqual({
      selected: ['storm', 'rate'],
      quick: true,
      uncapped: false,
    });
    expect(() => parseArgs(['stomr'])).toThrow(/unknown argument "stomr"/);
  });

  test('storm: seven clients (the reference too), each request counted once, client and simulator agree', async () => {
    const report = await runStorm({ quick: true });
    expectWellFormed(report, 7);
    // The reference is told the limit: never rejected, and never a peer to beat.
    const reference = report.rows.find((row) => row.client === 'reference');
    expect(reference).toMatchObject({ rejected: 0, giveUps: 0, attempts: 24 });
    for (const target of report.targets) expect(target.measured).not.toContain('reference');
    expect(report.notes.some((note) => note.startsWith('reference: '))).toBe(true);
    for (const row of report.rows) {
      expect(row.successes + row.giveUps + row.unfinished).toBe(24);
      expect(row.attempts).toBeGreaterThanOrEqual(row.successes);
      expect(row.ratio).toBeGreaterThan(0);
      expect(row.agrees, `${row.client}: ${row.disagreement}`).toBe(true);
    }
    expect(report.targets.length).toBe(12);
  });

  test('rate: seven clients with a rate and a rejected share', async () => {
    const report = await runRate({ quick: true });
    expectWellFormed(report, 7);
    for (const row of report.rows) {
      expect(row.acceptedPerSecond).toBeGreaterThanOrEqual(0);
      expect(row.rejectedShare).toBeGreaterThanOrEqual(0);
      expect(row.rejectedShare).toBeLessThanOrEqual(1);
      expect(row.attempts).toBeGreaterThanOrEqual(row.successes);
    }
  });

  test('overhead: three adapters against their bare clients, no failed request', async () => {
    const report = await runOverhead({ quick: true });
    expectWellFormed(report, 3);
    for (const row of report.rows) {
      expect(row.failures).toBe(0);
      expect(row.bareRps).toBeGreaterThan(0);
      expect(row.triageRps).toBeGreaterThan(0);
      // The control (a second bare client) is measured like triage, against the same rounds.
      expect(Number.isFinite(row.controlLoss)).toBe(true);
      expect(row.controlLoss).toBeLessThan(1);
      // So is triage without limits, which splits triage's cost.
      expect(Number.isFinite(row.leanLoss)).toBe(true);
      expect(row.leanCpuUs).toBeGreaterThan(0);
    }
    expect(report.table.columns.map((c) => c.label)).toEqual(
      expect.arrayContaining(['control: bare vs bare', 'loss with `limits: false`']),
    );
  });

  test('classify: five vendors', async () => {
    const report = await runClassify({ quick: true });
    expectWellFormed(report, 5);
    for (const row of report.rows) {
      expect(row.successOps).toBeGreaterThan(0);
      expect(row.allOps).toBeGreaterThan(0);
    }
  });
});
