import { readFileSync } from 'node:fs';

/**
 * The installed version of a root devDependency, read from its `package.json`, so the tables name
 * the peer versions that actually ran.
 */
export function versionOf(name: string): string {
  const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  const manifest = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
