import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A recorded wire response: status line, headers, blank line, body (a `.http` file). */
export interface Fixture {
  name: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Parses a raw HTTP response file. Header names are lower-cased; the body is kept byte for byte. */
export function parseHttpFixture(name: string, raw: string): Fixture {
  const split = raw.indexOf('\n\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 2);
  const [statusLine = '', ...headerLines] = head.split('\n');
  const status = Number(statusLine.split(' ')[1]);
  if (!Number.isInteger(status)) throw new Error(`${name}: bad status line ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { name, status, headers, body };
}

/** Loads `fixtures/<vendor>/<name>.http`. */
export function loadFixture(vendor: string, name: string): Fixture {
  return parseHttpFixture(name, readFileSync(join(root, vendor, `${name}.http`), 'utf8'));
}

/** Every fixture of a vendor, by name. */
export function loadFixtures(vendor: string): Fixture[] {
  return readdirSync(join(root, vendor))
    .filter((file) => file.endsWith('.http'))
    .sort()
    .map((file) => loadFixture(vendor, file.slice(0, -'.http'.length)));
}
