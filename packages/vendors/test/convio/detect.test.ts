import { type ResponseInput, STATUS_RULES } from '@triage/core';
import { describe, expect, it } from 'vitest';
import { CONVIO_CODES, CONVIO_STATUSES, convio } from '../../src/convio/index.ts';

const textPlain = { 'content-type': 'text/plain;charset=UTF-8' };

describe('Convio error shapes', () => {
  it('reads a prefixed namespace as well as a default one', () => {
    const body =
      '<crm:errorResponse xmlns:crm="http://convio.com/crm/v1.0"><crm:code>5</crm:code>' +
      '<crm:message>The requested method can only be called from a trusted source.</crm:message></crm:errorResponse>';
    expect(convio.classify({ status: 403, body })).toStrictEqual({
      vendor: 'convio',
      category: 'auth',
      refreshable: true,
      code: '5',
      message: 'The requested method can only be called from a trusted source.',
      status: 403,
      fields: [],
      effect: 'none',
      source: 'response',
      reason: (CONVIO_CODES['5'] as { reason: string }).reason,
    });
  });

  it('trims a padded code and message', () => {
    const body =
      '{"errorResponse":{"code":" 14 ","message":"  The requested method is not allowed by the caller.  "}}';
    expect(convio.classify({ status: 403, body })).toMatchObject({
      code: '14',
      message: 'The requested method is not allowed by the caller.',
      category: 'auth',
      refreshable: false,
    });
  });

  it('uses the status as the message when Convio sends none', () => {
    expect(convio.classify({ status: 403, body: '{"errorResponse":{"code":"1"}}' })).toMatchObject({
      code: '1',
      message: 'HTTP 403',
      category: 'fatal',
      effect: 'unknown',
    });
  });

  it('keeps an unknown code and falls back to the status with it', () => {
    const body = '{"errorResponse":{"code":"2047","message":"New error"}}';
    expect(convio.classify({ status: 403, body })).toStrictEqual({
      vendor: 'convio',
      category: 'fatal',
      code: '2047',
      message: 'New error',
      status: 403,
      fields: [],
      effect: 'unknown',
      source: 'response',
      reason: `unknown convio code; ${CONVIO_STATUSES[403]!.reason}`,
    });
    expect(convio.classify({ status: 200, body })).toMatchObject({
      category: 'fatal',
      effect: 'unknown',
      reason: 'unknown convio code; unknown vendor code on a success status',
    });
  });

  it('lets a donation error other than FIELD_VALIDATION win, and keeps every field', () => {
    const body = JSON.stringify({
      donationResponse: {
        errors: [
          { code: '101', message: 'Fields', reason: 'FIELD_VALIDATION', fieldError: ['A', 'B'] },
          { code: '101', message: 'Declined', reason: 'DECLINED', pageError: 'Card declined.' },
        ],
      },
    });
    expect(convio.classify({ status: 200, body })).toMatchObject({
      category: 'fatal',
      effect: 'unknown',
      code: '101',
      message: 'Declined',
      fields: [{ name: 'A' }, { name: 'B' }],
    });
  });

  it('falls back to pageError for the message', () => {
    const body = JSON.stringify({
      donationResponse: {
        errors: { code: '101', reason: 'FIELD_VALIDATION', pageError: 'Please see below.' },
      },
    });
    expect(convio.classify({ status: 200, body })).toMatchObject({
      category: 'validation',
      message: 'Please see below.',
      fields: [],
    });
  });

  it('reads donation errors parsed by the client (axios), codes as numbers', () => {
    const body = {
      donationResponse: {
        errors: { code: 101, reason: 'FIELD_VALIDATION', fieldError: ['Gift amount is invalid.'] },
      },
    };
    expect(convio.classify({ status: 200, body })).toMatchObject({
      category: 'validation',
      code: 101,
      fields: [{ name: 'Gift amount is invalid.' }],
    });
  });

  it('trusts the body over a wrong content type', () => {
    const json = '{"errorResponse":{"code":"2","message":"Incorrect API key."}}';
    const xml = '<errorResponse xmlns="http://convio.com/crm/v1.0"><code>2</code></errorResponse>';
    for (const type of ['text/html', 'application/xml', 'text/plain', 'application/octet-stream']) {
      expect(
        convio.classify({ status: 200, headers: { 'content-type': type }, body: json })?.code,
      ).toBe('2');
      expect(
        convio.classify({ status: 200, headers: { 'content-type': type }, body: xml })?.code,
      ).toBe('2');
    }
  });
});

describe('Convio success responses are not errors', () => {
  it.each([
    ['a JSON response that mentions error', '{"getUserResponse":{"note":"no error"}}'],
    [
      'a JSON response with an errors list',
      '{"getUserResponse":{"errors":[],"errorResponse_count":"0"}}',
    ],
    [
      'a donation that went through',
      '{"donationResponse":{"donation":{"confirmation_code":"1234-5678","transaction_id":"99"}}}',
    ],
    ['an errorResponse without a code', '{"errorResponse":{"message":"no code"}}'],
    ['an errorResponse that is null', '{"errorResponse":null}'],
    ['a code that is not a number', '{"errorResponse":{"code":"E2","message":"x"}}'],
    ['a negative code', '{"errorResponse":{"code":-1,"message":"x"}}'],
    [
      'donation errors without a code',
      '{"donationResponse":{"errors":{"reason":"FIELD_VALIDATION"}}}',
    ],
    [
      'XML that mentions error',
      '<getUserResponse xmlns="http://convio.com/crm/v1.0"><note>no error</note><errorResponse/></getUserResponse>',
    ],
    ['a JSON array', '[{"errorResponse":{"code":"2"}}]'],
  ])('%s (HTTP 200) classifies as undefined', (_, body) => {
    expect(convio.classify({ status: 200, headers: textPlain, body })).toBeUndefined();
  });

  it('a parsed success object (axios) classifies as undefined', () => {
    expect(
      convio.classify({ status: 200, body: { getUserResponse: { note: 'no error' } } }),
    ).toBeUndefined();
  });
});

describe('unreadable Convio bodies fall back to the HTTP status, without throwing', () => {
  const byStatus = (
    status: number,
    reason: string,
    category: string,
    effect: string,
    extra = {},
  ) => ({
    vendor: 'convio',
    category,
    message: `HTTP ${status}`,
    status,
    fields: [],
    effect,
    source: 'response',
    reason,
    ...extra,
  });
  const forbidden = byStatus(403, CONVIO_STATUSES[403]!.reason, 'fatal', 'unknown');
  const nginx502 =
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

  const cases: [string, ResponseInput, unknown][] = [
    [
      'truncated JSON at 403',
      { status: 403, headers: textPlain, body: '{"errorResponse":{"code":"2","mess' },
      forbidden,
    ],
    [
      'truncated XML at 403',
      {
        status: 403,
        headers: { 'content-type': 'text/xml' },
        body: '<errorResponse xmlns="http://convio.com/crm/v1.0"><code>2</co',
      },
      forbidden,
    ],
    ['an empty body at 403', { status: 403, body: '' }, forbidden],
    [
      'an HTML login page at 403',
      {
        status: 403,
        headers: { 'content-type': 'text/html' },
        body: '<!DOCTYPE html><html><body>Forbidden</body></html>',
      },
      forbidden,
    ],
    [
      'an empty body at 405',
      { status: 405, body: '' },
      byStatus(405, CONVIO_STATUSES[405]!.reason, 'validation', 'none'),
    ],
    [
      'an nginx 502 page',
      { status: 502, headers: { 'content-type': 'text/html' }, body: nginx502 },
      byStatus(502, STATUS_RULES[502]!.reason, 'retryable', 'unknown'),
    ],
    [
      'a 503 as bytes',
      { status: 503, body: new TextEncoder().encode('Service Unavailable') },
      byStatus(503, STATUS_RULES[503]!.reason, 'retryable', 'unknown', { throttle: true }),
    ],
    [
      'truncated JSON at 200',
      { status: 200, headers: textPlain, body: '{"errorResponse":{"code":"2"' },
      undefined,
    ],
    ['an empty body at 200', { status: 200, body: '' }, undefined],
    ['no body at all at 200', { status: 200 }, undefined],
    [
      'an nginx page at 200',
      { status: 200, headers: { 'content-type': 'text/html' }, body: nginx502 },
      undefined,
    ],
  ];

  it.each(cases)('%s', (_, input, expected) => {
    expect(convio.classify(input)).toStrictEqual(expected);
  });
});
