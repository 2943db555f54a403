import { inspect } from 'node:util';
import { runInNewContext } from 'node:vm';
import {
  type Classification,
  isTriageError,
  isVendorError,
  redactUrl,
  TriageError,
  VendorError,
} from '@triage/core';
import { describe, expect, test } from 'vitest';

const classification: Classification = {
  vendor: 'co3',
  category: 'validation',
  code: 4,
  message: 'Missing parameter',
  status: 200,
  fields: [{ name: 'email', message: 'required' }],
  effect: 'none',
  source: 'response',
  retryAfterMs: 1000,
};

const secretResponse = {
  config: { headers: { Authorization: 'Bearer s3cret-token' } },
  data: '<response/>',
};

function make(): VendorError {
  return new VendorError(classification, {
    cause: new Error('original'),
    response: secretResponse,
    request: { method: 'post', url: 'https://user:pw@co3app.com/api/crm?api_key=s3cret-key&x=1' },
    attempts: 3,
    giveUpReason: 'not-retryable',
  });
}

describe('VendorError', () => {
  test('carries the vendor, code, message, status, fields and the original', () => {
    const error = make();
    expect(error).toBeInstanceOf(TriageError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('VendorError');
    expect(error.message).toBe(
      'co3 4: Missing parameter (validation, HTTP 200, 3 attempts, not-retryable)',
    );
    expect(error).toMatchObject({
      vendor: 'co3',
      category: 'validation',
      code: 4,
      status: 200,
      effect: 'none',
      attempts: 3,
      retryAfterMs: 1000,
      giveUpReason: 'not-retryable',
    });
    expect(error.fields).toEqual([{ name: 'email', message: 'required' }]);
    expect((error.cause as Error).message).toBe('original');
    expect(error.response).toBe(secretResponse);
    expect(error.classification).toBe(classification);
  });

  test('the request is redacted: no user info, no API key', () => {
    expect(make().request).toEqual({
      method: 'POST',
      url: 'https://co3app.com/api/crm?api_key=%5BREDACTED%5D&x=1',
    });
  });

  test('toJSON is RFC 9457 problem details', () => {
    expect(make().toJSON()).toEqual({
      type: 'urn:triage:category:validation',
      title: 'Vendor rejected the request',
      status: 200,
      detail: 'co3 4: Missing parameter (validation, HTTP 200, 3 attempts, not-retryable)',
      vendor: 'co3',
      code: 4,
      category: 'validation',
      effect: 'none',
      fields: [{ name: 'email', message: 'required' }],
      attempts: 3,
      retryAfterMs: 1000,
    });
    const minimal = new VendorError({
      vendor: 'http',
      category: 'fatal',
      message: 'x',
      fields: [],
      effect: 'unknown',
      source: 'network',
    });
    expect(minimal.toJSON()).toEqual({
      type: 'urn:triage:category:fatal',
      title: 'Vendor failure',
      detail: 'http: x (fatal, 1 attempt)',
      vendor: 'http',
      category: 'fatal',
      effect: 'unknown',
      fields: [],
      attempts: 1,
    });
  });

  test('no credential in JSON, String(), inspect() or the enumerable properties', () => {
    const error = make();
    for (const text of [
      JSON.stringify(error),
      String(error),
      inspect(error, { depth: 10 }),
      JSON.stringify({ ...error }),
    ]) {
      expect(text).not.toContain('s3cret');
      expect(text).not.toContain('user:pw');
    }
    expect(Object.keys(error)).not.toContain('response');
    expect(inspect(error)).toContain('"cause": "Error: original"');
  });

  test('isVendorError and isTriageError work across realms and copies', () => {
    expect(isVendorError(make())).toBe(true);
    expect(isTriageError(make())).toBe(true);
    expect(isTriageError(new TriageError('x'))).toBe(true);
    expect(isVendorError(new TriageError('x'))).toBe(false);
    expect(isVendorError(new Error('x'))).toBe(false);
    expect(isVendorError(null)).toBe(false);
    expect(isVendorError('VendorError')).toBe(false);
    // Another realm: Symbol.for is shared by every realm of the agent, so the brand is found.
    const foreign = runInNewContext(
      `const e = new Error('x'); Object.defineProperty(e, Symbol.for('triage.VendorError'), { value: true }); e`,
    );
    expect(foreign instanceof VendorError).toBe(false);
    expect(isVendorError(foreign)).toBe(true);
  });
});

describe('redactUrl', () => {
  test.each([
    ['https://a.test/x?api_key=K&id=1', 'https://a.test/x?api_key=%5BREDACTED%5D&id=1'],
    [
      'https://a.test/x?token=T&access_token=A&sso_auth_token=S',
      'https://a.test/x?token=%5BREDACTED%5D&access_token=%5BREDACTED%5D&sso_auth_token=%5BREDACTED%5D',
    ],
    [
      'https://a.test/x?login_password=P&session_key=S&client_secret=C',
      'https://a.test/x?login_password=%5BREDACTED%5D&session_key=%5BREDACTED%5D&client_secret=%5BREDACTED%5D',
    ],
    ['https://u:p@a.test/', 'https://a.test/'],
    ['https://a.test/path?method=getUser&v=1.0', 'https://a.test/path?method=getUser&v=1.0'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  test('an unparseable URL loses its query and user info', () => {
    expect(redactUrl('/relative/path?api_key=K')).toBe('/relative/path');
    expect(redactUrl('//user:pw@host/x?token=1')).toBe('//host/x');
  });
});
