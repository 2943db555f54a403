import { XMLBuilder } from 'fast-xml-parser';

/** An element to build: text (sent as CDATA) or child elements, in insertion order. */
export interface XmlElements {
  readonly [name: string]: string | XmlElements;
}

const CDATA = '#cdata';

// CDATA as CO3's own samples send credentials; the builder splits a `]]>` inside a value.
const builder = new XMLBuilder({
  cdataPropName: CDATA,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  format: false,
});

function toBuilderTree(elements: XmlElements): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(elements)) {
    tree[name] = typeof value === 'string' ? [{ [CDATA]: value }] : toBuilderTree(value);
  }
  return tree;
}

/**
 * Builds elements without a declaration (a fragment to insert).
 *
 * @example
 * ```ts
 * buildXmlFragment({ session_key: 'abc' }); // '<session_key><![CDATA[abc]]></session_key>'
 * ```
 */
export function buildXmlFragment(elements: XmlElements): string {
  return String(builder.build(toBuilderTree(elements)));
}

/**
 * Builds a whole document with a UTF-8 XML declaration, as CO3's samples send it.
 *
 * @example
 * ```ts
 * buildXmlDocument({ command: { authenticate: { username: 'me' } } });
 * // '<?xml version="1.0" encoding="utf-8"?><command><authenticate><username><![CDATA[me]]>…'
 * ```
 */
export function buildXmlDocument(elements: XmlElements): string {
  return String(
    builder.build({
      '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
      ...toBuilderTree(elements),
    }),
  );
}
