import type { VendorProfile } from '@triage/core';
import { co3, convio, fonedynamics, simplybook, voipnow } from '@triage/vendors';

/** One vendor as the hostile suites see it: its profile and its own error envelope. */
export interface VendorSample {
  name: string;
  profile: VendorProfile;
  format: 'json' | 'xml';
  contentType: string;
  /** A code of the vendor's table. */
  code: string;
  /** The vendor's error envelope, as the vendor sends it (a numeric-looking code as a number). */
  envelope(code: string, message: string): string;
}

const numeric = /^-?\d+$/;

export const VENDORS: readonly VendorSample[] = [
  {
    name: 'simplybook',
    profile: simplybook,
    format: 'json',
    contentType: 'application/json',
    code: '-32603',
    envelope: (code, message) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        error: { code: numeric.test(code) ? Number(code) : code, message },
      }),
  },
  {
    name: 'co3',
    profile: co3,
    format: 'xml',
    contentType: 'text/xml; charset=utf-8',
    code: '8',
    envelope: (code, message) =>
      `<?xml version="1.0" encoding="utf-8"?>\n<response>\n  <error>\n    <code>${code}</code>\n    <description><![CDATA[${message}]]></description>\n  </error>\n</response>`,
  },
  {
    name: 'convio',
    profile: convio,
    format: 'json',
    contentType: 'application/json',
    code: '19',
    envelope: (code, message) => JSON.stringify({ errorResponse: { code, message } }),
  },
  {
    name: 'voipnow',
    profile: voipnow,
    format: 'json',
    contentType: 'application/json',
    code: 'internal_server_error',
    envelope: (code, message) => JSON.stringify({ error: { code, message } }),
  },
  {
    name: 'fonedynamics',
    profile: fonedynamics,
    format: 'json',
    contentType: 'application/json',
    code: 'PARAMETER_REQUIRED',
    envelope: (code, message) =>
      JSON.stringify({ ResponseStatus: { ErrorCode: code, Message: message, Errors: [] } }),
  },
];

/**
 * What a hostile response must be classified as.
 *
 * - `status`: as the bare HTTP status (the body gives nothing away, and nothing else).
 * - `envelope`: as the vendor's clean envelope `clean` is (same category, code, effect, status):
 *   the hostile detail around it changes nothing.
 * - `unknown-code`: as an envelope with a code missing from the table (`clean`), with `code` kept:
 *   a code named like an `Object.prototype` member is just another unknown code.
 * - `success`: not an error; the request resolves and the caller reads the whole body.
 */
export type Expectation =
  | { as: 'status' }
  | { as: 'envelope'; clean: string }
  | { as: 'unknown-code'; clean: string; code: string }
  | { as: 'success' };

export interface HostileCase {
  name: string;
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
  /** What every adapter must come to. */
  expect: Expectation;
  /**
   * What `profile.classify()` alone must come to, when it differs from the adapters: the
   * adapters never read a successful body whose media type is not text (a download).
   */
  classify?: Expectation;
}

/** 10 MiB: far past the bounded prefix classification reads. */
export const HUGE = 10 * 1024 * 1024;

const STATUS: Expectation = { as: 'status' };
const SUCCESS: Expectation = { as: 'success' };
const encoder = new TextEncoder();

function concat(...parts: (string | Uint8Array)[]): Uint8Array {
  const bytes = parts.map((part) => (typeof part === 'string' ? encoder.encode(part) : part));
  const out = new Uint8Array(bytes.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of bytes) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** An XML error document the vendor would read: CO3's `<response>`, else Convio's XML form. */
function xmlDocument(vendor: VendorSample, inner: (text: string) => string): string {
  return vendor.name === 'co3'
    ? `<response><error><code>${vendor.code}</code><description>${inner('d')}</description></error></response>`
    : `<errorResponse><code>2</code><message>${inner('m')}</message></errorResponse>`;
}

/** Nine levels of ten references: 10^9 "lol"s if a parser expanded them (3 GB). */
function billionLaughs(vendor: VendorSample): string {
  const entities = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 9; i++) {
    entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  }
  const root = vendor.name === 'co3' ? 'response' : 'errorResponse';
  return `<?xml version="1.0"?>\n<!DOCTYPE ${root} [\n${entities.join('\n')}\n]>\n${xmlDocument(vendor, () => '&lol9;')}`;
}

/** One 50 kB entity referenced 4,000 times: 200 MB if expanded, a quadratic blow-up. */
function quadraticBlowup(vendor: VendorSample): string {
  const root = vendor.name === 'co3' ? 'response' : 'errorResponse';
  return `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY a "${'a'.repeat(50_000)}">]>${xmlDocument(vendor, () => '&a;'.repeat(4_000))}`;
}

/**
 * The hostile responses for one vendor. `sinkUrl` is a URL on the test's own server that no
 * request may ever reach: external entities and DTDs point there.
 */
export function hostileCases(vendor: VendorSample, sinkUrl: string): HostileCase[] {
  const type = { 'content-type': vendor.contentType };
  const xmlType = { 'content-type': 'application/xml' };
  const jsonType = { 'content-type': 'application/json' };
  const clean = vendor.envelope(vendor.code, 'Something went wrong');
  const root = vendor.name === 'co3' ? 'response' : 'errorResponse';
  const padded =
    vendor.format === 'json'
      ? JSON.stringify({ ...JSON.parse(clean), pad: 'x'.repeat(HUGE) })
      : clean.replace('</response>', `<pad>${'x'.repeat(HUGE)}</pad></response>`);
  const unknownCode = vendor.envelope('zz_not_in_any_table', 'Something went wrong');

  const cases: HostileCase[] = [
    // XML entity attacks: the document is refused whole, the status decides.
    {
      name: 'billion laughs (503)',
      status: 503,
      headers: xmlType,
      body: billionLaughs(vendor),
      expect: STATUS,
    },
    {
      name: 'billion laughs (200)',
      status: 200,
      headers: xmlType,
      body: billionLaughs(vendor),
      expect: SUCCESS,
    },
    {
      name: 'quadratic blow-up',
      status: 503,
      headers: xmlType,
      body: quadraticBlowup(vendor),
      expect: STATUS,
    },
    {
      name: 'external entity: a local file',
      status: 503,
      headers: xmlType,
      body: `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${xmlDocument(vendor, () => '&xxe;')}`,
      expect: STATUS,
    },
    {
      name: 'external entity: a URL (SSRF)',
      status: 503,
      headers: xmlType,
      body: `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "${sinkUrl}/entity">]>${xmlDocument(vendor, () => '&xxe;')}`,
      expect: STATUS,
    },
    {
      name: 'external parameter entity and DTD',
      status: 503,
      headers: xmlType,
      body: `<?xml version="1.0"?><!DOCTYPE ${root} SYSTEM "${sinkUrl}/dtd" [<!ENTITY % remote SYSTEM "${sinkUrl}/parameter"> %remote;]>${xmlDocument(vendor, () => 'x')}`,
      expect: STATUS,
    },
    {
      name: 'an undeclared entity without a DOCTYPE',
      status: 503,
      headers: xmlType,
      body: xmlDocument(vendor, () => '&undeclared;'),
      expect: STATUS,
    },
    {
      name: 'XML nested 30,000 levels inside the envelope',
      status: 503,
      headers: xmlType,
      body: xmlDocument(vendor, () => `${'<a>'.repeat(30_000)}${'</a>'.repeat(30_000)}`),
      expect: STATUS,
    },
    {
      name: 'XML that never closes',
      status: 503,
      headers: xmlType,
      body: `<${root}><error>${'<a>'.repeat(80_000)}`,
      expect: STATUS,
    },

    // Size: classification reads a bounded prefix, which never holds a whole document this big.
    { name: '10 MiB envelope (503)', status: 503, headers: type, body: padded, expect: STATUS },
    { name: '10 MiB envelope (200)', status: 200, headers: type, body: padded, expect: SUCCESS },

    // JSON shapes.
    {
      name: 'JSON arrays nested 100,000 levels',
      status: 503,
      headers: jsonType,
      body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      expect: STATUS,
    },
    {
      name: 'JSON objects nested 100,000 levels',
      status: 503,
      headers: jsonType,
      body: `${'{"error":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
      expect: STATUS,
    },
    {
      name: '__proto__ and constructor keys',
      status: 503,
      headers: jsonType,
      body: '{"__proto__":{"polluted":"yes","category":"fatal"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}',
      expect: STATUS,
    },
    ...['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'].map(
      (code): HostileCase => ({
        name: `an envelope whose code is "${code}"`,
        status: 503,
        headers: type,
        body: vendor.envelope(code, 'Something went wrong'),
        expect: { as: 'unknown-code', clean: unknownCode, code },
      }),
    ),

    // Encoding.
    {
      name: 'invalid UTF-8',
      status: 503,
      headers: jsonType,
      body: new Uint8Array([
        0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe,
      ]),
      expect: STATUS,
    },
    {
      name: 'an envelope with invalid UTF-8 in its message',
      status: 503,
      headers: type,
      body: concat(
        ...vendor
          .envelope(vendor.code, '@@')
          .split('@@')
          .flatMap((part, i) => (i === 0 ? [part] : [new Uint8Array([0xff, 0xc3, 0x28]), part])),
      ),
      expect: { as: 'envelope', clean },
    },
    {
      name: 'a UTF-8 BOM before the envelope',
      status: 503,
      headers: type,
      body: concat(new Uint8Array([0xef, 0xbb, 0xbf]), clean),
      expect: { as: 'envelope', clean },
    },
    {
      name: 'NUL bytes and a PNG signature',
      status: 503,
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
      expect: STATUS,
    },

    // Content types: an error body is read whatever its label; a success only when it is text.
    ...['text/html', 'application/octet-stream', 'image/png', ''].map(
      (label): HostileCase => ({
        name: `an error envelope labelled "${label || 'no content type'}"`,
        status: 503,
        headers: label === '' ? {} : { 'content-type': label },
        body: clean,
        expect: { as: 'envelope', clean },
      }),
    ),
    {
      name: 'a 200 envelope labelled text/html is still read',
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: clean,
      expect: { as: 'envelope', clean },
    },
    {
      name: 'a 200 envelope labelled application/octet-stream is a download, never read',
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: clean,
      expect: SUCCESS,
      classify: { as: 'envelope', clean },
    },

    // What proxies and broken servers send.
    { name: 'an empty body (503)', status: 503, headers: type, body: '', expect: STATUS },
    { name: 'an empty body (200)', status: 200, headers: type, body: '', expect: SUCCESS },
    {
      name: "nginx's 502 page",
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n',
      expect: STATUS,
    },
    {
      name: 'a truncated envelope',
      status: 503,
      headers: type,
      body: clean.slice(0, Math.floor(clean.length / 2)),
      expect: STATUS,
    },
    {
      name: 'a truncated XML error',
      status: 503,
      headers: xmlType,
      body: xmlDocument(vendor, () => 'cut').slice(0, 40),
      expect: STATUS,
    },
  ];
  return cases;
}
