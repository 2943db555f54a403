import type { ResponseInput } from '@triage/core';
import { simplybook } from '@triage/vendors/simplybook';
import { describe, expect, it } from 'vitest';

const JSON_TYPE = { 'content-type': 'application/json' };

function post(status: number, body: unknown, headers: ResponseInput['headers'] = JSON_TYPE) {
  return simplybook.classify({ status, headers, body, method: 'POST' });
}

const NGINX_502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`;

describe('simplybook success bodies', () => {
  it.each([
    [
      'a result with a key named error',
      { result: { error: { code: -32600, message: 'x' } }, id: 1, jsonrpc: '2.0' },
    ],
    ['a result that is a string', { result: 'c5f1a4e0', id: 1, jsonrpc: '2.0' }],
    ['a result alongside a null error (JSON-RPC 1.0 style)', { result: [], error: null, id: 1 }],
    ['an error member that is not an object', { result: null, error: 'Access denied', id: 1 }],
    ['an error without a code', { error: { message: 'Access denied' }, id: 1, jsonrpc: '2.0' }],
    ['an error with a non-numeric code', { error: { code: 'denied', message: 'x' }, id: 1 }],
    ['an error with a fractional code', { error: { code: -32600.5, message: 'x' }, id: 1 }],
    [
      'an error next to a non-null result',
      { result: { ok: true }, error: { code: -32603 }, id: 1 },
    ],
    [
      'a batch of successes',
      [
        { result: 1, id: 1, jsonrpc: '2.0' },
        { result: { error: 'no' }, id: 2, jsonrpc: '2.0' },
      ],
    ],
  ])('%s on HTTP 200 is not an error', (_name, body) => {
    expect(post(200, JSON.stringify(body))).toBeUndefined();
    expect(post(200, body)).toBeUndefined();
  });
});

describe('simplybook error bodies', () => {
  it('finds the error on HTTP 200, whatever the content type says', () => {
    const body = '{"error":{"code":"-32602","message":"Invalid params"},"id":"7","jsonrpc":"2.0"}';
    for (const headers of [JSON_TYPE, { 'content-type': 'text/html; charset=UTF-8' }, undefined]) {
      expect(post(200, body, headers)).toMatchObject({
        vendor: 'simplybook',
        category: 'validation',
        code: '-32602',
        effect: 'none',
      });
    }
  });

  it('reads a body the client already parsed (axios)', () => {
    const body = { error: { code: -32600, message: 'Access denied' }, id: 3, jsonrpc: '2.0' };
    expect(post(200, body)).toMatchObject({
      category: 'auth',
      code: -32600,
      refreshable: true,
      effect: 'none',
    });
  });

  it('reads a body given as bytes', () => {
    const text = '{"error":{"code":-33002,"message":"Wrong API key"},"id":1,"jsonrpc":"2.0"}';
    expect(post(200, new TextEncoder().encode(text))).toMatchObject({
      category: 'auth',
      code: -33002,
      refreshable: false,
    });
  });

  it('accepts an error without jsonrpc and id', () => {
    expect(post(200, { error: { code: -32099, message: 'Payment failed' } })).toMatchObject({
      category: 'fatal',
      code: -32099,
      effect: 'unknown',
      retry: { retries: 0 },
    });
  });

  it('tells -32600 apart by message, case and trailing text aside', () => {
    const classify = (message: string) =>
      post(200, { error: { code: -32600, message }, id: 1, jsonrpc: '2.0' });
    expect(classify('access denied.')).toMatchObject({ category: 'auth', refreshable: true });
    expect(classify('Company does not exist')).toMatchObject({
      category: 'auth',
      refreshable: false,
    });
    expect(classify('Invalid Request')).toMatchObject({ category: 'fatal', effect: 'none' });
    expect(post(200, { error: { code: -32600 }, id: 1 })).toMatchObject({
      category: 'fatal',
      message: 'HTTP 200',
    });
  });

  it('keeps the name of a client field the code is about', () => {
    const body = { error: { code: -32063, message: 'Client phone value is wrong' }, id: 1 };
    expect(post(200, body)?.fields).toEqual([
      { name: 'phone', code: '-32063', message: 'Client phone value is wrong' },
    ]);
  });

  it('classifies an unknown code by HTTP status, keeping the vendor and the code', () => {
    const body = { error: { code: -32999, message: 'Something new' }, id: 1, jsonrpc: '2.0' };
    expect(post(200, body)).toEqual({
      vendor: 'simplybook',
      category: 'fatal',
      code: -32999,
      message: 'Something new',
      status: 200,
      fields: [],
      effect: 'unknown',
      source: 'response',
      reason: 'unknown simplybook code; unknown vendor code on a success status',
    });
    expect(post(503, body)).toMatchObject({
      category: 'retryable',
      code: -32999,
      throttle: true,
      effect: 'unknown',
    });
  });
});

describe('simplybook batches', () => {
  const ok = (id: number) => ({ result: { id: String(id) }, id, jsonrpc: '2.0' });
  const failed = (id: number, code: number, message: string) => ({
    error: { code, message },
    id,
    jsonrpc: '2.0',
  });

  it('reports the first failed element in response order', () => {
    const body = [
      ok(1),
      failed(2, -32054, 'Selected time start is not available'),
      failed(3, -32603, 'Internal error'),
    ];
    expect(post(200, JSON.stringify(body))).toMatchObject({
      category: 'validation',
      code: -32054,
      message: 'Selected time start is not available',
    });
    expect(post(200, [failed(3, -32603, 'Internal error'), ok(1)])).toMatchObject({
      category: 'retryable',
      code: -32603,
    });
  });

  it('is no error when every element succeeded, or the batch is empty', () => {
    expect(post(200, [ok(1), ok(2)])).toBeUndefined();
    expect(post(200, '[]')).toBeUndefined();
  });
});

describe('simplybook malformed responses fall back to the HTTP status', () => {
  it.each([
    ['an nginx 502 page', 502, NGINX_502, { 'content-type': 'text/html' }, 'retryable', 'unknown'],
    [
      'truncated JSON on 500',
      500,
      '{"error":{"code":-32603,"mess',
      JSON_TYPE,
      'retryable',
      'unknown',
    ],
    ['an empty body on 500', 500, '', JSON_TYPE, 'retryable', 'unknown'],
    ['no body on 504', 504, undefined, undefined, 'retryable', 'unknown'],
    ['XML labelled as JSON on 400', 400, '<error>bad</error>', JSON_TYPE, 'validation', 'none'],
    ['a bare JSON string on 403', 403, '"Access denied"', JSON_TYPE, 'auth', 'none'],
  ] as const)('%s', (_name, status, body, headers, category, effect) => {
    const result = post(status, body, headers);
    expect(result).toMatchObject({
      vendor: 'simplybook',
      category,
      effect,
      source: 'response',
      status,
      message: `HTTP ${status}`,
      fields: [],
    });
    expect(result).not.toHaveProperty('code');
  });

  it.each([
    ['truncated JSON', '{"error":{"code":-32603,"mess'],
    ['an empty body', ''],
    ['an HTML page', '<html><body>Maintenance</body></html>'],
  ])('%s on HTTP 200 is not an error', (_name, body) => {
    expect(post(200, body)).toBeUndefined();
  });
});
