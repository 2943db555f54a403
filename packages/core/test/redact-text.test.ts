import {
  type Classification,
  credentialValues,
  redactText,
  scrubClassification,
} from '@triage/core';
import { describe, expect, test } from 'vitest';

describe('redactText', () => {
  test('URLs, credential-named pairs and known values are replaced', () => {
    expect(redactText('GET https://a.test/x?api_key=K1234&id=1 failed')).toBe(
      'GET https://a.test/x?api_key=%5BREDACTED%5D&id=1 failed',
    );
    expect(redactText('password=hunter22 user=ann')).toBe('password=[REDACTED] user=ann');
    expect(redactText('{"client_secret":"s3cr3t","id":"7"}')).toBe(
      '{"client_secret":"[REDACTED]","id":"7"}',
    );
    expect(redactText('Token: abcd1234')).toBe('Token: [REDACTED]');
    expect(redactText('Incorrect API key abcd-1234-efgh', ['abcd-1234-efgh'])).toBe(
      'Incorrect API key [REDACTED]',
    );
    expect(redactText('no: 1', ['1'])).toBe('no: 1');
  });

  test('long texts are bounded and redacted in linear time', () => {
    const long = `expired ${'x'.repeat(400_000)}`;
    const started = performance.now();
    const out = redactText(long);
    expect(performance.now() - started).toBeLessThan(200);
    expect(out.length).toBe(4097);
    expect(out.endsWith('…')).toBe(true);
  });
});

describe('credentialValues', () => {
  test('headers, cookies, query, JSON, form and XML bodies', () => {
    const headers = new Headers({
      authorization: 'Bearer tok-1234',
      cookie: 'sid=cookie-1; theme=dark',
      'x-token': 'xtok-1234',
      accept: 'application/json',
    });
    const base = {
      method: 'POST',
      url: new URL('https://u:pass-1234@a.test/?api_key=qkey-1234&id=9'),
      headers,
    };
    expect(credentialValues(base)).toEqual(
      expect.arrayContaining([
        'Bearer tok-1234',
        'tok-1234',
        'cookie-1',
        'xtok-1234',
        'qkey-1234',
        'pass-1234',
      ]),
    );
    expect(
      credentialValues({
        ...base,
        headers: new Headers(),
        url: new URL('https://a.test/'),
        body: '{"user":{"password":"pw-12345"},"n":1}',
      }),
    ).toEqual(['pw-12345']);
    expect(
      credentialValues({
        ...base,
        headers: new Headers(),
        url: new URL('https://a.test/'),
        body: 'api_key=form-1234&v=1.0',
      }),
    ).toEqual(['form-1234']);
    const xml =
      '<command><getContact><api_key>xml-key-1</api_key><session_key><![CDATA[sess-1234]]></session_key><name>Ann</name></getContact></command>';
    expect(
      credentialValues({
        ...base,
        headers: new Headers(),
        url: new URL('https://a.test/'),
        body: new TextEncoder().encode(xml),
      }),
    ).toEqual(['xml-key-1', 'sess-1234']);
    expect(
      credentialValues({
        ...base,
        headers: new Headers(),
        url: new URL('https://a.test/'),
        body: '{bad json',
      }),
    ).toEqual([]);
  });
});

describe('scrubClassification', () => {
  const c: Classification = {
    vendor: 'v',
    category: 'auth',
    message: 'key k-123456 refused',
    fields: [{ name: 'api_key', message: 'k-123456 is wrong' }],
    effect: 'none',
    source: 'response',
  };
  test('message and field messages lose the secrets; an untouched classification is returned as is', () => {
    expect(scrubClassification(c, ['k-123456'])).toMatchObject({
      message: 'key [REDACTED] refused',
      fields: [{ name: 'api_key', message: '[REDACTED] is wrong' }],
    });
    const clean = { ...c, message: 'fine', fields: [] };
    expect(scrubClassification(clean, ['k-123456'])).toBe(clean);
  });
});
