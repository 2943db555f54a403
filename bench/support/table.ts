/** A column: its label, and whether its cells are numbers (right-aligned). */
export interface Column {
  label: string;
  numeric?: boolean;
}

/** A table of already formatted cells, one row per array. */
export interface Table {
  title: string;
  columns: readonly Column[];
  rows: readonly (readonly string[])[];
}

/**
 * A GitHub Markdown table, padded so it also reads as plain text in a terminal: the same output
 * goes to the console and, pasted, into `docs/benchmarks.md`.
 */
export function renderTable(table: Table): string {
  const widths = table.columns.map((column, index) =>
    Math.max(3, column.label.length, ...table.rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells
      .map((cell, index) =>
        table.columns[index]?.numeric ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!),
      )
      .join(' | ')} |`;
  const rule = `| ${widths
    .map((width, index) =>
      table.columns[index]?.numeric ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width),
    )
    .join(' | ')} |`;
  return [
    `### ${table.title}`,
    '',
    line(table.columns.map((column) => column.label)),
    rule,
    ...table.rows.map(line),
  ].join('\n');
}

/** `1234567` → `1,234,567`; `fractionDigits` decimals. */
export function formatNumber(value: number, fractionDigits = 0): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  });
}

/** `1.3215` → `1.32×`. */
export function formatRatio(value: number): string {
  return `${formatNumber(value, 2)}×`;
}

/** `0.0312` → `3.1%`. */
export function formatPercent(value: number, fractionDigits = 1): string {
  return `${formatNumber(value * 100, fractionDigits)}%`;
}
