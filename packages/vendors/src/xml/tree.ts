/**
 * Readers for a parsed tree: the objects {@link parseXml} returns and, since an XML element and
 * a JSON object read alike once parsed, JSON bodies of the same shape (Convio sends both).
 * Every reader takes `unknown` and answers `undefined` for anything unexpected.
 */

/** True for a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every child called `name`: a single child and a repeated one both come back as an array. */
export function childrenOf(value: unknown, name: string): unknown[] {
  if (!isRecord(value) || !Object.hasOwn(value, name)) return [];
  const child = value[name];
  if (child === undefined || child === null) return [];
  return Array.isArray(child) ? child : [child];
}

/** The first child called `name`. */
export function childOf(value: unknown, name: string): unknown {
  return childrenOf(value, name)[0];
}

/**
 * An element's text, trimmed: a string, a number as written, or the `#text` of an element with
 * mixed content. `undefined` for elements with children only, and for anything else.
 */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (isRecord(value) && Object.hasOwn(value, '#text')) return textOf(value['#text']);
  return undefined;
}

/** True for a non-empty run of ASCII digits: what CO3 and Convio codes look like. */
export function isDigits(text: string): boolean {
  if (text === '') return false;
  for (const char of text) if (char < '0' || char > '9') return false;
  return true;
}
