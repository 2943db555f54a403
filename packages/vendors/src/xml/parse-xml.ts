import { type X2jOptions, XMLParser, XMLValidator } from 'fast-xml-parser';
import { createSafeEntityDecoder, type SafeEntityDecoder } from './entity-decoder.ts';

/** Parsed XML: an element's text, its children by name (a repeated name gives an array). */
export type XmlValue = string | XmlObject | readonly XmlValue[];

/** An element with children. Mixed content keeps its text under `#text`. */
export interface XmlObject {
  readonly [name: string]: XmlValue | undefined;
}

/** A document's single root element, its namespace prefix removed. */
export interface XmlRoot {
  /** The local name (`errorResponse` for `<crm:errorResponse xmlns:crm="…">`). */
  readonly name: string;
  readonly value: XmlValue;
}

/** Where an element sits in the source text, for edits that keep the rest byte for byte. */
export interface XmlElementRange {
  /** The name as written, prefix included. */
  readonly name: string;
  /** Index of the element's `<`. */
  readonly start: number;
  /** Index just past the element's last `>`. */
  readonly end: number;
  /** Child elements in document order. */
  readonly children: readonly XmlElementRange[];
}

/**
 * Options shared by both parsers. Entities: `processEntities` stays on so that every text goes
 * through the decoder given here, which expands nothing beyond the five predefined entities and
 * character references and refuses any document with a DOCTYPE (see `entity-decoder.ts`). The
 * DOCTYPE limits are as tight as the parser allows, so a hostile DTD is abandoned at its first
 * declaration rather than read to the end; its entities would never be used anyway.
 */
function baseOptions(decoder: SafeEntityDecoder): X2jOptions {
  return {
    processEntities: { enabled: true, maxEntityCount: 1, maxEntitySize: 1 },
    htmlEntities: false,
    entityDecoder: decoder,
    // Codes stay strings as sent ("007" is not 7); detectors decide what a code looks like.
    parseTagValue: false,
    parseAttributeValue: false,
    // Vendor errors nest three levels; anything far deeper is not a vendor error.
    maxNestedTags: 64,
    // No DTD means no unpaired tags or stop nodes: every element must be closed.
    unpairedTags: [],
    stopNodes: [],
  };
}

const treeDecoder = createSafeEntityDecoder();
const treeParser = new XMLParser({
  ...baseOptions(treeDecoder),
  // Detectors read element text only; `xmlns` and `xsi:schemaLocation` would be noise.
  ignoreAttributes: true,
  // Convio's `<errorResponse xmlns="http://convio.com/crm/v1.0">` and any prefixed form read alike.
  removeNSPrefix: true,
  // CO3 descriptions come as CDATA or plain text, padded with any whitespace.
  trimValues: true,
  cdataPropName: false,
  commentPropName: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const rangeDecoder = createSafeEntityDecoder();
const rangeParser = new XMLParser({
  ...baseOptions(rangeDecoder),
  preserveOrder: true,
  captureMetaData: true,
  ignoreAttributes: true,
  removeNSPrefix: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/**
 * Checks the text before parsing: fast-xml-parser's parser is lenient and builds a tree out of a
 * truncated document, and a truncated vendor error must not be mistaken for a whole one.
 */
function wellFormed(text: string): boolean {
  try {
    return XMLValidator.validate(text) === true;
  } catch {
    return false;
  }
}

/** The text a document starts with, ready for the validator, or `undefined` if it is not XML. */
function prepare(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  // Vendors pad bodies with whitespace; the validator wants the declaration at index 0.
  const trimmed = text.trimStart();
  return trimmed.startsWith('<') && wellFormed(trimmed) ? trimmed : undefined;
}

/**
 * Parses a document into plain objects, or returns `undefined` when the text is not one
 * well-formed XML document with a single root element, or carries a DOCTYPE or an entity other
 * than the five XML predefines. Never throws.
 *
 * @example
 * ```ts
 * parseXml('<response><error><code>8</code></error></response>');
 * // { name: 'response', value: { error: { code: '8' } } }
 * ```
 */
export function parseXml(text: string): XmlRoot | undefined {
  const source = prepare(text);
  if (source === undefined) return undefined;
  let document: unknown;
  try {
    document = treeParser.parse(source);
  } catch {
    return undefined;
  }
  if (treeDecoder.rejected) return undefined;
  if (document === null || typeof document !== 'object') return undefined;
  const names = Object.keys(document);
  const name = names[0];
  if (names.length !== 1 || name === undefined) return undefined;
  const value = (document as Record<string, unknown>)[name];
  // Two roots of the same name come back as an array: not a document.
  if (Array.isArray(value) || value === undefined) return undefined;
  return { name, value: value as XmlValue };
}

type OrderedNode = Record<string, unknown>;

function toRange(node: OrderedNode, meta: symbol): XmlElementRange | undefined {
  const name = Object.keys(node).find((key) => key !== ':@');
  const position = (node as Record<symbol, unknown>)[meta] as
    | { startIndex?: unknown; endIndex?: unknown }
    | undefined;
  if (name === undefined || name.startsWith('#') || name.startsWith('?')) return undefined;
  const { startIndex, endIndex } = position ?? {};
  if (typeof startIndex !== 'number' || typeof endIndex !== 'number') return undefined;
  const content = node[name];
  const children: XmlElementRange[] = [];
  if (Array.isArray(content)) {
    for (const child of content) {
      const range = toRange(child as OrderedNode, meta);
      if (range !== undefined) children.push(range);
    }
  }
  return { name, start: startIndex, end: endIndex, children };
}

/**
 * Parses a document into its elements' positions, for edits that leave everything else as it
 * was (CO3's session key goes into the caller's own request). Same safety rules and the same
 * `undefined` as {@link parseXml}. Positions index the text as given.
 *
 * @example
 * ```ts
 * parseXmlRanges('<command><getContacts/></command>');
 * // { name: 'command', start: 0, end: 33, children: [{ name: 'getContacts', start: 9, end: 23, children: [] }] }
 * ```
 */
export function parseXmlRanges(text: string): XmlElementRange | undefined {
  if (typeof text !== 'string') return undefined;
  const offset = text.length - text.trimStart().length;
  const source = prepare(text);
  if (source === undefined) return undefined;
  let nodes: unknown;
  try {
    nodes = rangeParser.parse(source);
  } catch {
    return undefined;
  }
  if (rangeDecoder.rejected || !Array.isArray(nodes)) return undefined;
  const meta = XMLParser.getMetaDataSymbol() as symbol;
  const roots = nodes
    .map((node) => toRange(node as OrderedNode, meta))
    .filter((range) => range !== undefined);
  const root = roots[0];
  if (roots.length !== 1 || root === undefined) return undefined;
  return offset === 0 ? root : shift(root, offset);
}

function shift(range: XmlElementRange, by: number): XmlElementRange {
  return {
    name: range.name,
    start: range.start + by,
    end: range.end + by,
    children: range.children.map((child) => shift(child, by)),
  };
}
