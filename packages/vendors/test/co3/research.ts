import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `../shared` from the project's root: the vendor pages and the research table. */
const shared = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared');

/** One row of `vendors/classification.csv`. */
export interface ResearchRow {
  vendor: string;
  code: string;
  status: string;
  message: string;
  category: string;
  authKind: string;
  reason: string;
}

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside fields). */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  cells.push(cell);
  return cells;
}

/** The research table's rows for one vendor (`co3`, `convio_luminate`). */
export function researchRows(vendor: string): ResearchRow[] {
  const text = readFileSync(join(shared, 'vendors/classification.csv'), 'utf8');
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map(splitCsvLine)
    .map(
      ([
        v = '',
        code = '',
        status = '',
        message = '',
        category = '',
        authKind = '',
        reason = '',
      ]) => ({
        vendor: v,
        code,
        status,
        message,
        category,
        authKind,
        reason,
      }),
    )
    .filter((row) => row.vendor === vendor);
}

/** A vendor page from `vendor-docs/`, as published. */
export function vendorPage(file: string): string {
  return readFileSync(join(shared, 'vendor-docs', file), 'utf8');
}
