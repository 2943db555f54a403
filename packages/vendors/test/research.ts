import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The shared reference material sits at ../shared from the project's root (shared/README.md).
// Used by the simplybook, voipnow and fonedynamics tests alike.
const shared = join(dirname(fileURLToPath(import.meta.url)), '../../../../shared');

/** One row of vendors/classification.csv. */
export interface CsvRow {
  vendor: string;
  code: string;
  httpStatus: number | undefined;
  message: string;
  category: string;
  authKind: string;
  reason: string;
}

/** RFC 4180 fields: commas inside quotes, `""` for a quote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** The classification.csv rows of one vendor (its `vendor` column). */
export function classificationRows(vendor: string): CsvRow[] {
  const [header, ...rows] = parseCsv(
    readFileSync(join(shared, 'vendors/classification.csv'), 'utf8'),
  );
  if (header?.join(',') !== 'vendor,code,http_status_if_known,message,category,auth_kind,reason')
    throw new Error('classification.csv has an unexpected header');
  return rows
    .filter((cells) => cells[0] === vendor)
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
        httpStatus: status === '' ? undefined : Number(status),
        message,
        category,
        authKind,
        reason,
      }),
    );
}

/** A vendor page as published (vendor-docs/<file>). */
export function vendorPage(file: string): string {
  return readFileSync(join(shared, 'vendor-docs', file), 'utf8');
}
