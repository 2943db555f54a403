// `pnpm demo`: five simulated vendors on loopback, three clients, one engine, a live trace.
import { type Style, styleFor } from './style.ts';
import { legs } from './tour.ts';
import type { Tally } from './trace.ts';

/** Runs the tour; returns every leg's tally (the demo's test checks them). */
export async function main(
  write: (line: string) => void = console.log,
  style: Style = styleFor(process.stdout),
): Promise<Tally[]> {
  const started = performance.now();
  write(
    style.bold('triage tour') + style.dim(': every failure classified, retried only when safe'),
  );
  const tallies: Tally[] = [];
  for (const leg of legs) tallies.push(await leg(write, style));
  write(`\n${style.bold('Summary')}`);
  const rows = [
    [
      'client + vendor',
      'requests',
      'attempts',
      'retries',
      'refreshes',
      'retryable',
      'auth',
      'validation',
      'fatal',
      'time',
    ],
    ...tallies.map((t) => [
      t.label,
      String(t.requests),
      String(t.attempts),
      String(t.retries),
      String(t.refreshes),
      String(t.failures.retryable),
      String(t.failures.auth),
      String(t.failures.validation),
      String(t.failures.fatal),
      `${Math.round(t.ms)} ms`,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [index, row] of rows.entries()) {
    const line = row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ');
    write(index === 0 ? style.dim(line) : line);
  }
  write(
    style.dim(
      `\nfailures by category are requests that ended in a VendorError; total ${Math.round(performance.now() - started)} ms`,
    ),
  );
  return tallies;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
