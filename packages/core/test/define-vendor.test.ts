import { type Detection, defineVendor, isVendorProfile, type ResponseView } from '@triage/core';
import { describe, expect, test } from 'vitest';

interface AcmeBody {
  fault?: { id?: string | number; text?: string; field?: string; kind?: string; wait?: number };
}

const acme = defineVendor({
  name: 'acme',
  codes: {
    BUSY: {
      category: 'retryable',
      effect: 'none',
      throttle: true,
      reason: 'docs: busy',
      retry: { minDelayMs: 1000 },
    },
    '17': { category: 'validation', reason: 'docs: bad field' },
    EXPIRED: { category: 'auth', refreshable: true, reason: 'docs: expired' },
    DENIED: [
      {
        category: 'auth',
        refreshable: true,
        reason: 'docs: stale session',
        when: (d) => /session/i.test(d.message ?? ''),
      },
      { category: 'auth', reason: 'docs: no such company' },
    ],
    PAY: [
      { category: 'validation', reason: 'docs: card fields', when: (d) => d.subcode === 'FIELDS' },
      { category: 'fatal', reason: 'docs: payment failed' },
    ],
    BROKEN: {
      category: 'fatal',
      reason: 'docs: predicate throws',
      when: () => {
        throw new Error('x');
      },
    },
  },
  detect(view: ResponseView): Detection | undefined {
    const fault = (view.json() as AcmeBody | undefined)?.fault;
    if (fault?.id === undefined) return undefined;
    const found: Detection = { code: fault.id };
    if (fault.text !== undefined) found.message = fault.text;
    if (fault.field !== undefined) found.fields = [{ name: fault.field }];
    if (fault.kind !== undefined) found.subcode = fault.kind;
    if (fault.wait !== undefined) found.retryAfterMs = fault.wait;
    return found;
  },
  statuses: { 500: { category: 'fatal', effect: 'unknown', reason: 'acme: 500 is a bug' } },
  rate: { requests: 2, perMs: 1000 },
  retry: { minDelayMs: 500 },
});

const body = (fault: AcmeBody['fault']) => JSON.stringify({ fault });

describe('defineVendor', () => {
  test('a detected code is looked up in the table', () => {
    expect(acme.classify({ status: 200, body: body({ id: 'BUSY', text: 'slow down' }) })).toEqual({
      vendor: 'acme',
      category: 'retryable',
      code: 'BUSY',
      message: 'slow down',
      status: 200,
      fields: [],
      effect: 'none',
      throttle: true,
      source: 'response',
      reason: 'docs: busy',
      retry: { minDelayMs: 1000 },
    });
  });

  test('numeric codes find string keys; fields come through', () => {
    const c = acme.classify({ status: 400, body: body({ id: 17, text: 'bad', field: 'email' }) });
    expect(c).toMatchObject({
      category: 'validation',
      code: 17,
      effect: 'none',
      fields: [{ name: 'email' }],
    });
  });

  test('auth rows carry refreshable, true or false', () => {
    expect(acme.classify({ status: 401, body: body({ id: 'EXPIRED' }) })?.refreshable).toBe(true);
    expect(
      acme.classify({ status: 200, body: body({ id: 'DENIED', text: 'no company' }) })?.refreshable,
    ).toBe(false);
  });

  test('variants are picked by message and by subcode', () => {
    expect(
      acme.classify({ status: 200, body: body({ id: 'DENIED', text: 'Session gone' }) }),
    ).toMatchObject({ refreshable: true, reason: 'docs: stale session' });
    expect(
      acme.classify({ status: 200, body: body({ id: 'PAY', kind: 'FIELDS' }) })?.category,
    ).toBe('validation');
    expect(
      acme.classify({ status: 200, body: body({ id: 'PAY', kind: 'DECLINED' }) }),
    ).toMatchObject({ category: 'fatal', effect: 'unknown' });
  });

  test('a variant predicate that throws does not match', () => {
    const c = acme.classify({ status: 400, body: body({ id: 'BROKEN' }) });
    expect(c).toMatchObject({ vendor: 'acme', code: 'BROKEN', category: 'validation' });
    expect(c?.reason).toBe('unknown acme code; HTTP 4xx: the request was refused as sent');
  });

  test('an unknown code in a known envelope: by status, name and code kept', () => {
    expect(
      acme.classify({ status: 503, body: body({ id: 'NEW', text: 'new thing' }) }),
    ).toMatchObject({
      vendor: 'acme',
      code: 'NEW',
      message: 'new thing',
      category: 'retryable',
      effect: 'unknown',
    });
    expect(acme.classify({ status: 200, body: body({ id: 'NEW' }) })).toMatchObject({
      category: 'fatal',
      effect: 'unknown',
      message: 'HTTP 200',
    });
  });

  test('the body wait wins over the Retry-After header', () => {
    const c = acme.classify({
      status: 429,
      headers: { 'retry-after': '9' },
      body: body({ id: 'BUSY', wait: 1500 }),
    });
    expect(c?.retryAfterMs).toBe(1500);
    const header = acme.classify({
      status: 429,
      headers: { 'retry-after': '9' },
      body: body({ id: 'BUSY' }),
    });
    expect(header?.retryAfterMs).toBe(9000);
  });

  test('nothing detected: vendor statuses, then generic rules, under the vendor name', () => {
    expect(acme.classify({ status: 500, body: '<html>oops</html>' })).toMatchObject({
      vendor: 'acme',
      category: 'fatal',
      reason: 'acme: 500 is a bug',
    });
    expect(acme.classify({ status: 429, body: '' })).toMatchObject({
      vendor: 'acme',
      category: 'retryable',
      throttle: true,
    });
    expect(acme.classify({ status: 200, body: '{"ok":true}' })).toBeUndefined();
  });

  test('fallback: false reports only what the vendor detector found', () => {
    expect(acme.classify({ status: 500, body: '' }, { fallback: false })).toBeUndefined();
    expect(acme.classify({ error: new Error('x') }, { fallback: false })).toBeUndefined();
    expect(
      acme.classify({ status: 200, body: body({ id: 'BUSY' }) }, { fallback: false })?.code,
    ).toBe('BUSY');
  });

  test('bodies as bytes, ArrayBuffer, a DataView, a parsed object, or with a BOM', () => {
    const text = body({ id: 'BUSY' });
    const bytes = new TextEncoder().encode(text);
    expect(acme.classify({ status: 200, body: bytes })?.code).toBe('BUSY');
    expect(acme.classify({ status: 200, body: bytes.buffer })?.code).toBe('BUSY');
    expect(acme.classify({ status: 200, body: new DataView(bytes.buffer) })?.code).toBe('BUSY');
    expect(acme.classify({ status: 200, body: { fault: { id: 'BUSY' } } })?.code).toBe('BUSY');
    expect(acme.classify({ status: 200, body: `\uFEFF${text}` })?.code).toBe('BUSY');
  });

  test('malformed bodies fall back to the status and never throw', () => {
    for (const bad of [
      '{"fault":{"id":"BU',
      '<html><body>502 Bad Gateway</body></html>',
      '',
      'null',
      '42',
      '"str"',
      '[1,2',
    ]) {
      const c = acme.classify({ status: 502, body: bad });
      expect(c).toMatchObject({ vendor: 'acme', category: 'retryable', message: 'HTTP 502' });
      expect(c?.code).toBeUndefined();
      expect(acme.classify({ status: 200, body: bad })).toBeUndefined();
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(acme.classify({ status: 200, body: cyclic })).toBeUndefined();
    expect(acme.classify({ status: 200, body: Symbol('x') })).toBeUndefined();
  });

  test('a detector that throws, or returns junk, means nothing found', () => {
    const thrower = defineVendor({
      name: 't',
      detect: () => {
        throw new Error('bug');
      },
    });
    expect(thrower.classify({ status: 502 })).toMatchObject({ vendor: 't', category: 'retryable' });
    const junk = defineVendor({ name: 'j', detect: () => ({ code: {} as never }) });
    expect(junk.classify({ status: 200 })).toBeUndefined();
  });

  test('input that is not an object is not an error', () => {
    expect(acme.classify(null as never)).toBeUndefined();
    expect(acme.classify('x' as never)).toBeUndefined();
    expect(acme.classify({} as never)).toBeUndefined();
  });

  test('vendor-wide effect applies to rows without their own', () => {
    const safe = defineVendor({
      name: 'safe',
      effect: 'none',
      codes: {
        X: { category: 'fatal', reason: 'r' },
        Y: { category: 'fatal', effect: 'unknown', reason: 'r' },
      },
      detect: (v) => ({ code: v.text() }),
    });
    expect(safe.classify({ status: 200, body: 'X' })?.effect).toBe('none');
    expect(safe.classify({ status: 200, body: 'Y' })?.effect).toBe('unknown');
  });

  test('profile metadata and brand', () => {
    expect(acme.rate).toEqual({ requests: 2, perMs: 1000 });
    expect(acme.retry).toEqual({ minDelayMs: 500 });
    expect(isVendorProfile(acme)).toBe(true);
    expect(isVendorProfile({ name: 'x', classify() {} })).toBe(false);
    expect(Object.isFrozen(acme)).toBe(true);
  });
});

describe('withOverrides', () => {
  test('a category string re-classifies a code and keeps the rest of its row', () => {
    const adjusted = acme.withOverrides({ BUSY: 'fatal' });
    expect(adjusted.classify({ status: 200, body: body({ id: 'BUSY' }) })).toMatchObject({
      category: 'fatal',
      effect: 'none',
      throttle: true,
      reason: 'docs: busy',
    });
    expect(acme.classify({ status: 200, body: body({ id: 'BUSY' }) })?.category).toBe('retryable');
  });

  test('a partial rule, a numeric key, and a code the table did not know', () => {
    const adjusted = acme.withOverrides({
      17: { category: 'retryable', effect: 'none', retry: { retries: 1 } },
      NEW: 'auth',
    });
    expect(adjusted.classify({ status: 400, body: body({ id: 17 }) })).toMatchObject({
      category: 'retryable',
      effect: 'none',
      retry: { retries: 1 },
    });
    expect(adjusted.classify({ status: 200, body: body({ id: 'NEW' }) })).toMatchObject({
      category: 'auth',
      refreshable: false,
      reason: 'overridden by the caller',
    });
  });

  test('an override replaces every variant of a code', () => {
    const adjusted = acme.withOverrides({ DENIED: { category: 'auth', refreshable: true } });
    expect(
      adjusted.classify({ status: 200, body: body({ id: 'DENIED', text: 'no company' }) })
        ?.refreshable,
    ).toBe(true);
  });
});

describe('vendor-wide effect', () => {
  test('an unknown code in a vendor with a guaranteed effect keeps it', () => {
    const safe = defineVendor({
      name: 'safe',
      effect: 'none',
      detect: (v) => ({ code: v.text() }),
    });
    expect(safe.classify({ status: 500, body: 'NEW' })).toMatchObject({
      code: 'NEW',
      category: 'retryable',
      effect: 'none',
    });
    expect(acme.classify({ status: 500, body: '{"fault":{"id":"NEW"}}' })?.effect).toBe('unknown');
  });
});
