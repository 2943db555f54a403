import { http, type ResponseInput, STATUS_RULES } from '@triage/core';
import { describe, expect, it } from 'vitest';
import { CO3_CODES, co3 } from '../../src/co3/index.ts';

const xml = { 'content-type': 'text/xml; charset=utf-8' };

/** What the generic HTTP rules say, under CO3's name: the fallback for unreadable bodies. */
function fallback(input: ResponseInput): unknown {
  const generic = http.classify(input);
  return generic === undefined ? undefined : { ...generic, vendor: 'co3' };
}

describe('CO3 error shapes', () => {
  it.each([
    [
      'plain text, no declaration',
      '<response><error><code>10</code><description>Expired</description></error></response>',
    ],
    [
      'CDATA and indentation',
      '<?xml version="1.0" encoding="utf-8"?>\n<response>\n\t<error>\n\t\t<code>\n\t\t\t10\n\t\t</code>\n\t\t<description>\n\t\t\t<![CDATA[  Expired  ]]>\n\t\t</description>\n\t</error>\n</response>',
    ],
    [
      'CRLF line ends and leading blank lines',
      '\r\n\r\n<?xml version="1.0"?>\r\n<response>\r\n  <error>\r\n    <code>10</code>\r\n    <description>Expired</description>\r\n  </error>\r\n</response>\r\n',
    ],
    [
      'elements with attributes',
      '<response status="error"><error type="auth"><code>10</code><description lang="en">Expired</description></error></response>',
    ],
    [
      'elements in another order',
      '<response><error><description>Expired</description><code>10</code></error></response>',
    ],
  ])('finds the code in %s', (_, body) => {
    expect(co3.classify({ status: 200, headers: xml, body })).toStrictEqual({
      vendor: 'co3',
      category: 'auth',
      refreshable: true,
      code: '10',
      message: 'Expired',
      status: 200,
      fields: [],
      effect: 'none',
      source: 'response',
      reason: CO3_CODES['10']!.reason,
    });
  });

  it('decodes predefined entities in a plain description', () => {
    const body =
      '<response><error><code>21</code><description>Invalid currency! The valid currencies are: HUF &amp; EUR</description></error></response>';
    expect(co3.classify({ status: 200, body })?.message).toBe(
      'Invalid currency! The valid currencies are: HUF & EUR',
    );
  });

  it('reads a UTF-8 body with a byte order mark, and Hungarian text', () => {
    const text =
      '<?xml version="1.0" encoding="utf-8"?><response><error><code>7</code><description><![CDATA[Hibás felhasználónév]]></description></error></response>';
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    expect(co3.classify({ status: 200, body: bytes })).toMatchObject({
      code: '7',
      message: 'Hibás felhasználónév',
      category: 'auth',
      refreshable: false,
    });
  });

  it('reads the field a field rule names', () => {
    const body =
      '<response><error><code>16</code><description><![CDATA[The following field must be 0 or bigger: quantity]]></description></error></response>';
    expect(co3.classify({ status: 400, body })).toMatchObject({
      category: 'validation',
      fields: [
        {
          name: 'quantity',
          message: 'The following field must be 0 or bigger: quantity',
          code: '16',
        },
      ],
    });
  });

  it('names no field when the text after the colon is not one word, or the code is no field rule', () => {
    const list =
      '<response><error><code>15</code><description>The following field must not be 0: net price</description></error></response>';
    const currencies =
      '<response><error><code>21</code><description>The valid currencies are: HUF</description></error></response>';
    expect(co3.classify({ status: 400, body: list })?.fields).toStrictEqual([]);
    expect(co3.classify({ status: 400, body: currencies })?.fields).toStrictEqual([]);
  });

  it('uses the first error when there are several', () => {
    const body = '<response><error><code>8</code></error><error><code>5</code></error></response>';
    expect(co3.classify({ status: 200, body })).toMatchObject({ code: '8', message: 'HTTP 200' });
  });

  it('keeps an unknown code and falls back to the status with it', () => {
    const body =
      '<response><error><code>999</code><description>New</description></error></response>';
    expect(co3.classify({ status: 500, body })).toStrictEqual({
      vendor: 'co3',
      category: 'retryable',
      code: '999',
      message: 'New',
      status: 500,
      fields: [],
      // The page's guarantee covers every error, new codes included.
      effect: 'none',
      source: 'response',
      reason: `unknown co3 code; ${STATUS_RULES[500]!.reason}`,
    });
    expect(co3.classify({ status: 200, body })).toMatchObject({
      category: 'fatal',
      code: '999',
      reason: 'unknown co3 code; unknown vendor code on a success status',
    });
  });

  it('trusts the body over a wrong content type', () => {
    const body = '<response><error><code>8</code></error></response>';
    for (const type of [
      'application/json',
      'text/html',
      'text/plain',
      'application/octet-stream',
    ]) {
      expect(co3.classify({ status: 200, headers: { 'content-type': type }, body })?.code).toBe(
        '8',
      );
    }
  });
});

describe('CO3 success responses are not errors', () => {
  it.each([
    [
      'a set acknowledgement',
      '<?xml version="1.0" encoding="utf-8"?>\n<response>\n  <result>OK</result>\n  <contact_id>21</contact_id>\n</response>',
    ],
    [
      'a get with data',
      '<response><result>OK</result><customer><id>21</id><name><![CDATA[Error Kft.]]></name></customer></response>',
    ],
    [
      'an element named <errors>',
      '<response><result>OK</result><errors><code>0</code></errors></response>',
    ],
    [
      'text mentioning error',
      '<response><result>OK</result><note>error handling: none, no error</note></response>',
    ],
    [
      'an <error> deeper than the response',
      '<response><contact><error><code>8</code></error></contact></response>',
    ],
    [
      'an <error> with an empty code',
      '<response><error><code></code><description>x</description></error></response>',
    ],
    [
      'an <error> with a code that is not a number',
      '<response><error><code>E8</code></error></response>',
    ],
    ['an <error> with no code', '<response><error>Too many requests</error></response>'],
    ['another root element', '<result><error><code>8</code></error></result>'],
    ['an empty response', '<response/>'],
  ])('%s (HTTP 200) classifies as undefined', (_, body) => {
    expect(co3.classify({ status: 200, headers: xml, body })).toBeUndefined();
  });
});

describe('unreadable CO3 bodies fall back to the HTTP status, without throwing', () => {
  const nginx502 =
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
  const cases: [string, ResponseInput][] = [
    ['truncated XML', { status: 429, headers: xml, body: '<response><error><code>8</code><descr' }],
    [
      'XML without its closing tags',
      { status: 503, headers: xml, body: '<response><error><code>8</code>' },
    ],
    [
      'an nginx 502 page',
      { status: 502, headers: { 'content-type': 'text/html' }, body: nginx502 },
    ],
    ['an empty body', { status: 500, headers: xml, body: '' }],
    ['no body at all', { status: 401 }],
    [
      'JSON (CO3 answers in XML)',
      {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: '{"error":{"code":8}}',
      },
    ],
    [
      'truncated JSON',
      { status: 504, headers: { 'content-type': 'application/json' }, body: '{"error":{"co' },
    ],
    ['plain text', { status: 403, headers: { 'content-type': 'text/plain' }, body: 'Forbidden' }],
    ['bytes that are not UTF-8', { status: 500, body: new Uint8Array([0xff, 0xfe, 0x3c, 0x00]) }],
    ['a parsed object', { status: 500, body: { response: { error: { code: '8' } } } }],
    [
      'an nginx page with status 200',
      { status: 200, headers: { 'content-type': 'text/html' }, body: nginx502 },
    ],
  ];

  it.each(cases)('%s', (_, input) => {
    const result = co3.classify(input);
    expect(result).toStrictEqual(fallback(input));
    if (input.status >= 400)
      expect(result).toMatchObject({ vendor: 'co3', message: `HTTP ${input.status}` });
    else expect(result).toBeUndefined();
  });

  it('a truncated rate-limit error at 429 is still a throttle, by status', () => {
    expect(
      co3.classify({ status: 429, body: '<response><error><code>8</code><descr' }),
    ).toStrictEqual({
      vendor: 'co3',
      category: 'retryable',
      message: 'HTTP 429',
      status: 429,
      fields: [],
      effect: 'none',
      throttle: true,
      source: 'response',
      reason: STATUS_RULES[429]!.reason,
    });
  });
});
