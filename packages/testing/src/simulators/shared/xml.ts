import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for an XML element or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** Wraps text in CDATA, splitting any `]]>` inside it. */
export function cdata(text: string): string {
  return `<![CDATA[${text.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

/** A value to turn into XML elements: text, children by name, or repeated children. */
export type XmlContent =
  | string
  | number
  | { readonly [name: string]: XmlContent }
  | readonly XmlContent[];

// Array.isArray does not narrow a readonly array type.
function isList(value: XmlContent): value is readonly XmlContent[] {
  return Array.isArray(value);
}

/**
 * Builds `<name>…</name>` from a value: objects become child elements in order, arrays repeat the
 * element, text is escaped.
 */
export function xmlElement(name: string, value: XmlContent): string {
  if (isList(value)) return value.map((item) => xmlElement(name, item)).join('');
  if (typeof value === 'object') return `<${name}>${xmlChildren(value)}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** The child elements of an object value, in order. */
export function xmlChildren(value: { readonly [name: string]: XmlContent }): string {
  let inner = '';
  for (const [child, content] of Object.entries(value)) inner += xmlElement(child, content);
  return inner;
}

/** A parsed element: its text, or its children by local name (a repeated name gives an array). */
export type XmlNode =
  | string
  | { readonly [name: string]: XmlNode | readonly XmlNode[] | undefined };

/** The outcome of reading an XML request body. */
export type XmlDocument =
  | { readonly ok: true; readonly root: string; readonly value: XmlNode }
  | { readonly ok: false; readonly empty: boolean };

// Request values are read as sent: no number parsing, CDATA merged into text, namespaces dropped.
const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  htmlEntities: false,
});

/**
 * Reads a request body as one XML document. A DOCTYPE is refused outright: a test server has no
 * use for entity declarations, and refusing them keeps entity expansion out.
 */
export function readXml(text: string): XmlDocument {
  if (text.trim() === '') return { ok: false, empty: true };
  if (/<!DOCTYPE/i.test(text) || XMLValidator.validate(text) !== true) {
    return { ok: false, empty: false };
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch {
    return { ok: false, empty: false };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, empty: false };
  const names = Object.keys(parsed);
  const root = names[0];
  if (names.length !== 1 || root === undefined) return { ok: false, empty: false };
  return { ok: true, root, value: (parsed as Record<string, XmlNode>)[root] ?? '' };
}

/** A child element of a parsed node (the first, when repeated). */
export function childOf(node: XmlNode | undefined, name: string): XmlNode | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const child = node[name];
  return Array.isArray(child) ? (child[0] as XmlNode | undefined) : (child as XmlNode | undefined);
}

/** The text of a node, or `undefined` when it has children. */
export function textOf(node: XmlNode | undefined): string | undefined {
  return typeof node === 'string' ? node : undefined;
}
