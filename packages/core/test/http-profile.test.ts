import { http, ruleForStatus } from '@triage/core';
import { describe, expect, test } from 'vitest';

describe('the generic http profile', () => {
  test.each([
    [408, 'retryable', 'none', undefined],
    [425, 'retryable', 'none', undefined],
    [429, 'retryable', 'none', undefined],
    [500, 'retryable', 'unknown', undefined],
    [502, 'retryable', 'unknown', undefined],
    [503, 'retryable', 'unknown', undefined],
    [504, 'retryable', 'unknown', undefined],
    [401, 'auth', 'none', true],
    [403, 'auth', 'none', false],
    [400, 'validation', 'none', undefined],
    [404, 'validation', 'none', undefined],
    [422, 'validation', 'none', undefined],
    [501, 'fatal', 'unknown', undefined],
    [599, 'fatal', 'unknown', undefined],
  ] as const)('HTTP %i is %s with effect %s', (status, category, effect, refreshable) => {
    const c = http.classify({ status, body: '' });
    expect(c).toMatchObject({
      vendor: 'http',
      category,
      effect,
      status,
      fields: [],
      source: 'response',
    });
    expect(c?.code).toBeUndefined();
    expect(c?.refreshable).toBe(refreshable);
    expect(c?.message).toBe(`HTTP ${status}`);
  });

  test.each([100, 200, 201, 204, 301, 302, 304, 0, -1, 600, Number.NaN])(
    'HTTP %s is not an error',
    (status) => {
      expect(http.classify({ status })).toBeUndefined();
    },
  );

  test('429 and 503 are throttles; 500 is not', () => {
    expect(http.classify({ status: 429 })?.throttle).toBe(true);
    expect(http.classify({ status: 503 })?.throttle).toBe(true);
    expect(http.classify({ status: 500 })?.throttle).toBeUndefined();
  });

  test('Retry-After in seconds, from Headers, a record or a get() object', () => {
    expect(
      http.classify({ status: 429, headers: new Headers({ 'Retry-After': '3' }) })?.retryAfterMs,
    ).toBe(3000);
    expect(http.classify({ status: 429, headers: { 'retry-after': '2' } })?.retryAfterMs).toBe(
      2000,
    );
    expect(http.classify({ status: 429, headers: { 'Retry-After': 7 } })?.retryAfterMs).toBe(7000);
    expect(
      http.classify({ status: 429, headers: { 'Retry-After': ['1', '9'] } })?.retryAfterMs,
    ).toBeUndefined();
    const getter = { get: (name: string) => (name === 'retry-after' ? '4' : null) };
    expect(http.classify({ status: 503, headers: getter })?.retryAfterMs).toBe(4000);
  });

  test('Retry-After as an HTTP-date, relative to the injected now', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    const c = http.classify(
      { status: 503, headers: { 'retry-after': 'Sun, 22 Nov 2026 10:00:05 GMT' } },
      { now },
    );
    expect(c?.retryAfterMs).toBe(5000);
    const past = http.classify(
      { status: 503, headers: { 'retry-after': 'Sun, 22 Nov 2026 09:00:00 GMT' } },
      { now },
    );
    expect(past?.retryAfterMs).toBe(0);
  });

  test('ruleForStatus ranges', () => {
    expect(ruleForStatus(418)?.category).toBe('validation');
    expect(ruleForStatus(520)?.category).toBe('fatal');
    expect(ruleForStatus(399)).toBeUndefined();
  });
});

describe('failures without a response', () => {
  const failure = (error: unknown) => http.classify({ error });
  const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

  test.each([
    ['ECONNREFUSED', 'none', 'network'],
    ['ENOTFOUND', 'none', 'network'],
    ['EAI_AGAIN', 'none', 'network'],
    ['UND_ERR_CONNECT_TIMEOUT', 'none', 'timeout'],
    ['ECONNRESET', 'unknown', 'network'],
    ['EPIPE', 'unknown', 'network'],
    ['ETIMEDOUT', 'unknown', 'timeout'],
    ['ECONNABORTED', 'unknown', 'timeout'],
    ['UND_ERR_SOCKET', 'unknown', 'network'],
    ['UND_ERR_HEADERS_TIMEOUT', 'unknown', 'timeout'],
    ['ERR_NETWORK', 'unknown', 'network'],
  ] as const)('%s is retryable with effect %s', (code, effect, source) => {
    expect(failure(coded(code))).toMatchObject({
      vendor: 'http',
      category: 'retryable',
      code,
      effect,
      source,
      fields: [],
    });
  });

  test("a code named like an Object.prototype member is an unknown code (the fuzz test's find)", () => {
    // It once matched the table's inherited members: a rule with no reason, and a crash on the
    // missing message when the engine scrubbed it.
    const unknown = failure(coded('EWHATEVER', ''));
    expect(unknown).toMatchObject({ category: 'fatal', reason: 'not a known network failure' });
    for (const code of ['toString', 'constructor', '__proto__', 'hasOwnProperty'])
      expect(failure(coded(code, ''))).toEqual(unknown);
  });

  test("fetch's TypeError('fetch failed') is classified by its cause's code", () => {
    const error = new TypeError('fetch failed', {
      cause: coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
    });
    expect(failure(error)).toMatchObject({
      category: 'retryable',
      code: 'ECONNREFUSED',
      effect: 'none',
    });
  });

  test('a bare fetch failure without a code may have been sent', () => {
    expect(failure(new TypeError('fetch failed'))).toMatchObject({
      category: 'retryable',
      code: 'FETCH_FAILED',
      effect: 'unknown',
    });
    expect(failure(new TypeError('Failed to fetch'))).toMatchObject({ code: 'FETCH_FAILED' });
    // msw's HttpResponse.error() through axios's http adapter.
    expect(failure(new TypeError('Network error'))).toMatchObject({ code: 'FETCH_FAILED' });
  });

  test('a TimeoutError anywhere in the cause chain is a timeout', () => {
    const timeout = Object.assign(new Error('The operation timed out'), { name: 'TimeoutError' });
    expect(failure(new Error('wrapped', { cause: timeout }))).toMatchObject({
      code: 'TIMEOUT',
      source: 'timeout',
      effect: 'unknown',
    });
  });

  test('an unknown error is fatal with unknown effect', () => {
    expect(failure(new RangeError('bug'))).toMatchObject({
      category: 'fatal',
      effect: 'unknown',
      message: 'bug',
    });
    expect(failure('boom')).toMatchObject({ category: 'fatal', message: 'boom' });
    expect(failure(42)).toMatchObject({ category: 'fatal', message: 'request failed' });
    expect(failure(null)).toMatchObject({ category: 'fatal' });
  });

  test('a hostile error object whose getters throw is still classified', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    expect(failure(hostile)).toMatchObject({ category: 'fatal' });
  });

  test('cause chains are followed at most five deep', () => {
    let error: Error = coded('ECONNRESET');
    for (let i = 0; i < 5; i++) error = new Error(`wrap ${i}`, { cause: error });
    expect(failure(error)?.category).toBe('fatal');
  });
});
