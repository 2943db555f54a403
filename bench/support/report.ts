import { renderTable, type Table } from './table.ts';

/** A target from the issue, and what this run measured against it. */
export interface TargetCheck {
  /** What is promised, e.g. `triage + fetch: time ≤ 1.15× the floor`. */
  target: string;
  measured: string;
  met: boolean;
}

/** What one benchmark hands back: typed rows for tests, a table and target checks for people. */
export interface BenchmarkReport<Row> {
  table: Table;
  /** The rows behind the table, unformatted. */
  rows: Row[];
  targets: TargetCheck[];
  /** What ran, in a sentence or two, printed above the table. */
  setup: string;
  /** Anything a reader needs to interpret the table: capped runs, mismatched counts. */
  notes: string[];
}

/**
 * The report as printed: setup, table, targets, notes. A `--quick` run's targets are not shown:
 * its runs are too small to mean anything.
 */
export function renderReport<Row>(report: BenchmarkReport<Row>, quick = false): string {
  const parts = [renderTable(report.table), '', report.setup];
  if (quick && report.targets.length > 0) {
    parts.push('', 'Targets are not checked in a --quick run.');
  } else if (report.targets.length > 0) {
    parts.push(
      '',
      renderTable({
        title: `Targets: ${report.table.title}`,
        columns: [{ label: 'target' }, { label: 'measured' }, { label: 'met' }],
        rows: report.targets.map((check) => [
          check.target,
          check.measured,
          check.met ? 'yes' : 'NO',
        ]),
      }),
    );
  }
  if (report.notes.length > 0) parts.push('', ...report.notes.map((note) => `- ${note}`));
  return parts.join('\n');
}
