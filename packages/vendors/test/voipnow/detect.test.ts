import type { ResponseInput } from '@triage/core';
import { voipnow } from '@triage/vendors/voipnow';
import { describe, expect, it } from 'vitest';

const JSON_TYPE = { 'content-type': 'application/json' };

function get(status: number, body: unknown, headers: ResponseInput['headers'] = JSON_TYPE) {
  return voipnow.classify({ status, headers, body, method: 'GET' });
}

describe('voipnow success bodies', () => {
  it.each([
    ['a list of phone calls', 200, { paging: { total: 1 }, entry: [{ id: 'a1', error: null }] }],
    ['an entry with a field named error', 200, { entry: [{ id: 'x', error: { code: 'none' } }] }],
    ['no content', 204, ''],
    ['an error member that is a string', 200, { error: 'expired_token' }],
  ])('%s is not an error', (_name, status, body) => {
    expect(get(status, typeof body === 'string' ? body : JSON.stringify(body))).toBeUndefined();
    expect(get(status, body)).toBeUndefined();
  });
});

describe('voipnow error bodies', () => {
  it('finds the error whatever the content type says', () => {
    const body =
      '{"error":{"code":"expired_token","message":"Token is expired or otherwise invalid."}}';
    for (const headers of [JSON_TYPE, { 'content-type': 'text/html' }, undefined]) {
      expect(get(401, body, headers)).toMatchObject({
        vendor: 'voipnow',
        category: 'auth',
        refreshable: true,
        code: 'expired_token',
        message: 'Token is expired or otherwise invalid.',
      });
    }
  });

  it('keeps each message of a code the page lists several times', () => {
    for (const message of [
      'Parameter filterValue for onArray operation is invalid.',
      'Parameter filterValue contains invalid numbers.',
      'Parameter filterValue is invalid.',
    ]) {
      expect(get(400, { error: { code: 'filtervalue_invalid', message } })).toMatchObject({
        category: 'validation',
        code: 'filtervalue_invalid',
        message,
      });
    }
  });

  it('classifies an unknown code by HTTP status, keeping the vendor and the code', () => {
    const body = { error: { code: 'quota_exceeded', message: 'Too many calls.' } };
    expect(get(429, body)).toEqual({
      vendor: 'voipnow',
      category: 'retryable',
      code: 'quota_exceeded',
      message: 'Too many calls.',
      status: 429,
      fields: [],
      effect: 'none',
      throttle: true,
      source: 'response',
      reason: 'unknown voipnow code; RFC 6585 §4: rate limited; the request was refused',
    });
    expect(get(400, body)).toMatchObject({ category: 'validation', code: 'quota_exceeded' });
  });

  it('leaves an OAuth token-endpoint error (RFC 6749 §5.2) to the HTTP status', () => {
    const body = { error: 'invalid_client', error_description: 'Client authentication failed' };
    expect(get(401, body)).toMatchObject({
      category: 'auth',
      refreshable: true,
      message: 'HTTP 401',
    });
    expect(get(401, body)).not.toHaveProperty('code');
  });
});

describe('voipnow malformed responses fall back to the HTTP status', () => {
  it.each([
    [
      'an nginx 502 page',
      502,
      '<html><head><title>502 Bad Gateway</title></head></html>',
      { 'content-type': 'text/html' },
      'retryable',
      'unknown',
    ],
    [
      'truncated JSON on 500',
      500,
      '{"error":{"code":"internal_server_err',
      JSON_TYPE,
      'retryable',
      'unknown',
    ],
    ['an empty body on 503', 503, '', JSON_TYPE, 'retryable', 'unknown'],
    [
      'a numeric code on 500',
      500,
      '{"error":{"code":500,"message":"Oops"}}',
      JSON_TYPE,
      'retryable',
      'unknown',
    ],
    [
      'an empty code on 400',
      400,
      '{"error":{"code":"","message":"?"}}',
      JSON_TYPE,
      'validation',
      'none',
    ],
    ['plain text on 401', 401, 'Unauthorized', { 'content-type': 'text/plain' }, 'auth', 'none'],
  ] as const)('%s', (_name, status, body, headers, category, effect) => {
    const result = get(status, body, headers);
    expect(result).toMatchObject({
      vendor: 'voipnow',
      category,
      effect,
      source: 'response',
      status,
      message: `HTTP ${status}`,
      fields: [],
    });
    expect(result).not.toHaveProperty('code');
  });

  it('a truncated body on 200 is not an error', () => {
    expect(get(200, '{"paging":{"total":3},"entry":[{"id":"a1"')).toBeUndefined();
  });
});
