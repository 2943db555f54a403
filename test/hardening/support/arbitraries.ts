import fc from 'fast-check';
import { HUGE, hostileCases, VENDORS, type VendorSample } from './hostile.ts';

/** Generators of hostile responses for the fuzz suite: statuses, headers and bodies. */

/** Printable ASCII: what a header value can carry on the wire. */
const printable = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
export const headerValue: fc.Arbitrary<string> = fc.string({ unit: printable, maxLength: 40 });

export const contentType: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/xml; charset=utf-8',
    'application/xml',
    'text/plain',
    'text/html',
    'application/problem+json',
    'application/vnd.api+json',
    'application/octet-stream',
    'image/png',
    'multipart/form-data; boundary=x',
    ';',
    '',
  ),
  headerValue,
);

const retryAfter = fc.oneof(
  fc.integer({ min: -10, max: 1e12 }).map(String),
  fc.constantFrom(
    'Sun, 22 Nov 2026 10:00:05 GMT',
    'Thu, 01 Jan 1970 00:00:00 GMT',
    'Fri, 31 Dec 99999 23:59:59 GMT',
    'NaN',
    '1e400',
    '-0',
    ' 3 ',
    '0x10',
  ),
  headerValue,
);

const rateLimit = fc.oneof(
  fc.constantFrom(
    'limit=10, remaining=0, reset=5',
    '"default";r=0;t=30',
    '"burst";q=100;w=1, "day";q=1000;w=86400',
    'r=-1;t=-5',
    'q=0;w=0',
    't=1e400',
  ),
  headerValue,
);

/** Response headers: any subset of what triage reads, each valid or garbage. */
export const headers: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'content-type': contentType,
    'retry-after': retryAfter,
    ratelimit: rateLimit,
    'ratelimit-policy': rateLimit,
    'x-ratelimit-remaining': fc.oneof(fc.integer({ min: -5, max: 5 }).map(String), headerValue),
    'x-ratelimit-reset': fc.oneof(fc.integer({ min: -5, max: 1e10 }).map(String), headerValue),
  },
  { requiredKeys: [] },
);

/** An error status, a success, a redirect, or something no server should send. */
export const wireStatus: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 200, max: 599 }),
  fc.constantFrom(200, 302, 400, 401, 403, 404, 405, 408, 429, 500, 502, 503, 504),
);

/** Keys an attacker would choose: prototype members and the vendors' envelope names. */
const key = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'error',
    'code',
    'message',
    'result',
    'jsonrpc',
    'errorResponse',
    'donationResponse',
    'errors',
    'ResponseStatus',
    'ErrorCode',
    'Errors',
    'FieldName',
  ),
  fc.string({ maxLength: 6 }),
);

/** A JSON object with hostile keys, nested a few levels. */
const hostileJson = fc
  .letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 1 }),
      fc.dictionary(key, tie('value'), { maxKeys: 5 }),
      fc.array(tie('value'), { maxLength: 4 }),
    ),
  }))
  .value.map((value) => JSON.stringify(value) ?? 'null');

/** Codes named like `Object.prototype` members: table lookups by wire text must not find them. */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

/**
 * The vendor's own envelope with any code and message: a code of its table, a prototype member's
 * name, or garbage. Fuzzing a profile with its own envelope is what reaches its code table.
 */
export function envelopeOf(vendor: VendorSample): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.oneof(
        fc.constantFrom(...Object.keys(vendor.profile.codes)),
        fc.constantFrom(...PROTOTYPE_NAMES, ''),
        fc.string({ maxLength: 12 }),
        fc.integer().map(String),
      ),
      fc.string({ maxLength: 30 }),
    )
    .map(([code, message]) => vendor.envelope(code, message));
}

/** Any vendor's envelope. */
const envelope = fc.constantFrom(...VENDORS).chain(envelopeOf);

/** XML assembled from the pieces parsers trip on. */
const xmlish = fc
  .array(
    fc.constantFrom(
      '<?xml version="1.0"?>',
      '<response>',
      '</response>',
      '<errorResponse xmlns="http://convio.com/crm/v1.0">',
      '</errorResponse>',
      '<error>',
      '</error>',
      '<code>',
      '</code>',
      '8',
      '2',
      '<description>',
      '</description>',
      '<message>',
      '</message>',
      '<![CDATA[',
      ']]>',
      '<!DOCTYPE response [',
      '<!ENTITY a "&b;&b;">',
      '<!ENTITY b SYSTEM "file:///etc/passwd">',
      ']>',
      '&a;',
      '&amp;',
      '&#0;',
      '&#x10FFFF;',
      '<!--',
      '-->',
      '<a b="c" b="d">',
      '</a>',
      '<a:b/>',
      ' ',
      '\u0000',
      '\uFEFF',
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

/** Nesting, to any depth up to 100,000. */
const deep = fc
  .tuple(
    fc.integer({ min: 1, max: 100_000 }),
    fc.constantFrom('[', '{"error":', '<a>', '{"__proto__":'),
    fc.boolean(),
  )
  .map(([depth, open, closed]) => {
    const close = open === '[' ? ']' : open === '<a>' ? '</a>' : '}';
    return (
      open.repeat(depth) +
      (open === '[' || open === '<a>' ? '' : '1') +
      (closed ? close.repeat(depth) : '')
    );
  });

/** Each of the hostile suite's bodies (all but the 10 MiB ones), cut anywhere. */
const catalogue = VENDORS.flatMap((vendor) =>
  hostileCases(vendor, 'http://127.0.0.1:9/sink')
    .map((hostile) => hostile.body)
    .filter((body) => body.length < HUGE),
);
const hostile = fc
  .tuple(fc.constantFrom(...catalogue), fc.option(fc.nat(), { nil: undefined }))
  .map(([body, cut]) => (cut === undefined ? body : body.slice(0, cut % (body.length + 1))));

/** A body as it arrives on the wire: text or bytes. */
export const wireBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  hostileJson,
  envelope,
  xmlish,
  deep,
  hostile,
);

/**
 * Stands for an object whose every property read throws (what a broken custom adapter might
 * hand over). fast-check probes the values it generates, so the property builds the object
 * itself: {@link realize}.
 */
const BOOBY_TRAP: unique symbol = Symbol('booby trap');

function booby(): unknown {
  return new Proxy(
    {},
    {
      get() {
        throw new Error('read');
      },
      has() {
        throw new Error('has');
      },
      ownKeys() {
        throw new Error('keys');
      },
      getPrototypeOf() {
        throw new Error('prototype');
      },
    },
  );
}

/** A body as a client may hand it over: wire text or bytes, or a value it already parsed. */
export const anyBody: fc.Arbitrary<unknown> = fc.oneof(
  wireBody,
  wireBody.map((body) => (typeof body === 'string' ? body : body.buffer)),
  fc.jsonValue({ maxDepth: 4 }),
  hostileJson.map((text) => JSON.parse(text) as unknown),
  fc.constantFrom(null, undefined, 0, true, Symbol('body'), BOOBY_TRAP),
);

/** The body a generated value stands for. */
export function realize(body: unknown): unknown {
  return body === BOOBY_TRAP ? booby() : body;
}
