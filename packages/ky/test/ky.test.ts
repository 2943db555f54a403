import { isVendorError, type TriageEvent } from '@triage/core';
import { withTriage } from '@triage/ky';
import { createManualClock } from '@triage/testing';
import { type ScriptedServer, startScriptedServer } from '@triage/testing/node';
import ky, { isHTTPError, isNetworkError, isTimeoutError, type Options } from 'ky';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  acme,
  json,
  vendorRejection as rejection,
} from '../../../test/support/adapter-fixtures.ts';

/** Exact waits: an auto-advancing clock and jitter pinned to the middle. */
const exact = () => ({ clock: createManualClock({ autoAdvance: true }), random: () => 0.5 });

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('withTriage', () => {
  test('an error inside a 200 body is retried after the vendor floor; .json() reads the success', async () => {
    server = await startScriptedServer({
      script: [json(200, { fault: 'BUSY' }), json(200, { fault: 'BUSY' })],
      thereafter: json(200, { id: 7 }),
    });
    const { clock, random } = exact();
    const events: TriageEvent[] = [];
    const api = withTriage(ky, { vendor: acme, clock, random, onEvent: (e) => events.push(e) });
    const data = await api.post(`${server.url}/book`, { json: { slot: 1 } }).json();
    expect(data).toEqual({ id: 7 });
    expect(server.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/book', '{"slot":1}'],
      ['POST', '/book', '{"slot":1}'],
      ['POST', '/book', '{"slot":1}'],
    ]);
    expect(clock.delays).toEqual([1000, 1000]);
    expect(events.map((e) => e.type)).toEqual([
      'classified',
      'retry',
      'classified',
      'retry',
      'recovered',
    ]);
  });

  test('validation: no retry, fields filled, cause is ky’s HTTPError with data and options', async () => {
    server = await startScriptedServer({ script: [json(400, { fault: 'BAD', field: 'email' })] });
    const api = withTriage(ky, { vendor: acme });
    const error = await rejection(
      api.post(`${server.url}/x`, { json: { email: 'no' }, context: { tag: 'signup' } }),
    );
    expect(error).toMatchObject({
      category: 'validation',
      code: 'BAD',
      status: 400,
      fields: [{ name: 'email' }],
      attempts: 1,
      giveUpReason: 'not-retryable',
    });
    expect(isHTTPError(error.cause)).toBe(true);
    if (!isHTTPError(error.cause)) return;
    expect(error.cause.data).toEqual({ fault: 'BAD', field: 'email' });
    expect(error.cause.response.status).toBe(400);
    expect(error.cause.request.method).toBe('POST');
    // ky's own normalized options, as ky would have put on its HTTPError.
    expect(error.cause.options.method).toBe('POST');
    expect(error.cause.options.context).toMatchObject({ tag: 'signup' });
    // Unlike a plain ky HTTPError, the body is left unread for the caller.
    expect(await (error.response as Response).json()).toEqual({ fault: 'BAD', field: 'email' });
    expect(server.requests).toHaveLength(1);
  });

  test('HTTPError.data goes through ky’s parseJson, as in ky', async () => {
    server = await startScriptedServer({ script: [json(422, { fault: 'BAD' })] });
    const parseJson = (text: string) => ({ parsed: JSON.parse(text) as unknown });
    const api = withTriage(ky.create({ parseJson }), { vendor: acme });
    const error = await rejection(api.post(server.url, { body: 'x' }));
    expect(isHTTPError(error.cause) && error.cause.data).toEqual({ parsed: { fault: 'BAD' } });
  });

  test('a timeout ky would refuse is refused', async () => {
    const api = withTriage(ky, { vendor: acme });
    await expect(api.get('http://127.0.0.1:9/', { timeout: 2 ** 31 })).rejects.toThrow(RangeError);
  });

  test('HTTP 500 on a POST is not retried; on a GET it is, with exact waits', async () => {
    server = await startScriptedServer({
      script: [{ status: 500 }, { status: 500 }, { status: 500 }],
    });
    const { clock, random } = exact();
    const api = withTriage(ky, { vendor: acme, clock, random });
    const error = await rejection(api.post(server.url, { body: 'x' }));
    expect(error).toMatchObject({ status: 500, giveUpReason: 'unsafe', attempts: 1 });
    expect(isHTTPError(error.cause)).toBe(true);
    expect(await api.get(server.url).json()).toEqual({ ok: true });
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'GET', 'GET']);
    // Full jitter at 0.5 over 200 ms, doubling.
    expect(clock.delays).toEqual([100, 200]);
  });

  test.each([
    ['ky’s default retry', ky],
    ['a generous ky retry', ky.create({ retry: { limit: 10, statusCodes: [503] } })],
    [
      'a ky shouldRetry that always says yes',
      ky.create({ retry: { limit: 10, shouldRetry: () => true } }),
    ],
  ])('ky’s own retry never adds attempts (%s)', async (_, instance) => {
    server = await startScriptedServer({ script: () => ({ status: 503 }) });
    const { clock, random } = exact();
    const api = withTriage(instance, { vendor: acme, retry: 3, clock, random });
    const beforeRetry = vi.fn();
    const error = await rejection(api.get(server.url, { hooks: { beforeRetry: [beforeRetry] } }));
    expect(error).toMatchObject({ status: 503, attempts: 4, giveUpReason: 'exhausted' });
    expect(server.requests).toHaveLength(4);
    expect(clock.delays).toEqual([100, 200, 400]);
    expect(beforeRetry).not.toHaveBeenCalled();
  });

  test('a per-request ky retry cannot bring ky’s retry back', async () => {
    server = await startScriptedServer({ script: () => ({ status: 503 }) });
    const api = withTriage(ky, { vendor: acme, retry: 1, ...exact() });
    const error = await rejection(api.get(server.url, { retry: { limit: 5 } }));
    expect(error.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  test('a connection reset is a classified network error with ky’s NetworkError as cause', async () => {
    server = await startScriptedServer({ script: [{ reset: 'before' }, { reset: 'before' }] });
    const api = withTriage(ky, { vendor: acme, ...exact() });
    const error = await rejection(api.post(server.url, { body: 'x' }));
    expect(error).toMatchObject({
      category: 'retryable',
      effect: 'unknown',
      code: 'ECONNRESET',
      giveUpReason: 'unsafe',
      attempts: 1,
    });
    expect(isNetworkError(error.cause)).toBe(true);
    expect(await api.get(server.url).json()).toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
  });

  test('a body broken off mid-way is a network error too', async () => {
    server = await startScriptedServer({
      script: [{ ...json(200, { items: 'x'.repeat(10_000) }), reset: 'mid-body' }],
    });
    const api = withTriage(ky, { vendor: acme, ...exact() });
    expect(await api.get(server.url).json()).toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
  });

  test('a refused connection is retried even for a POST (the request never left)', async () => {
    const probe = await startScriptedServer({ script: [] });
    const url = probe.url;
    await probe.close();
    const { clock, random } = exact();
    const api = withTriage(ky, { vendor: acme, retry: { retries: 2 }, clock, random });
    const error = await rejection(api.post(url, { body: 'x' }));
    expect(error).toMatchObject({
      code: 'ECONNREFUSED',
      effect: 'none',
      attempts: 3,
      giveUpReason: 'exhausted',
    });
    expect(isNetworkError(error.cause)).toBe(true);
    expect(clock.delays).toEqual([100, 200]);
  });

  test('auth: apply sets the credential on every attempt; 10 concurrent requests refresh once', async () => {
    server = await startScriptedServer({
      script: (req) =>
        req.headers['x-token'] === 'fresh' ? json(200, { ok: 1 }) : json(401, { fault: 'EXPIRED' }),
    });
    let token = 'stale';
    const refresh = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      token = 'fresh';
    });
    const api = withTriage(ky, {
      vendor: acme,
      auth: { refresh, apply: (r) => r.headers.set('x-token', token) },
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api.post(server!.url, { json: { i } }).json()),
    );
    expect(results).toEqual(Array.from({ length: 10 }, () => ({ ok: 1 })));
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(server.requests).toHaveLength(20);
    const replays = server.requests.filter((r) => r.headers['x-token'] === 'fresh');
    expect(replays.map((r) => JSON.parse(r.body).i).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
  });

  test('auth.apply may rewrite a JSON body as text', async () => {
    server = await startScriptedServer({ script: [] });
    const api = withTriage(ky, {
      vendor: acme,
      auth: {
        refresh: async () => {},
        apply: (r) => {
          r.body = String(r.body).replace('}', ',"session":"abc"}');
        },
      },
    });
    await api.post(server.url, { json: { a: 1 } });
    expect(server.requests[0]?.body).toBe('{"a":1,"session":"abc"}');
  });

  test('abort through ky’s signal during a backoff wait rejects within 10 ms with the reason', async () => {
    server = await startScriptedServer({ script: [json(200, { fault: 'BUSY' })] });
    const api = withTriage(ky, { vendor: acme });
    const controller = new AbortController();
    const events: TriageEvent[] = [];
    const pending = api.get(server.url, {
      signal: controller.signal,
      triage: { onEvent: (e) => events.push(e) },
    });
    const settled = pending.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('retry'));
    const reason = new Error('user left');
    const start = performance.now();
    controller.abort(reason);
    expect(await settled).toBe(reason);
    expect(performance.now() - start).toBeLessThan(10);
    expect(server.requests).toHaveLength(1);
  });

  test('ky’s timeout bounds each attempt, not the whole run', async () => {
    // Three attempts of ~120 ms each: over 300 ms together, under it one by one.
    server = await startScriptedServer({
      script: [
        { status: 503, delayMs: 120 },
        { status: 503, delayMs: 120 },
      ],
      thereafter: { ...json(200, { ok: true }), delayMs: 120 },
    });
    const api = withTriage(ky, { vendor: acme, ...exact() });
    expect(await api.get(server.url, { timeout: 300 }).json()).toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
  });

  test('a timed-out attempt is ky’s TimeoutError: a GET is retried, a POST is not', async () => {
    server = await startScriptedServer({ script: [{ hang: true }, { hang: true }] });
    const { clock, random } = exact();
    const api = withTriage(ky.create({ timeout: 200 }), { vendor: acme, clock, random });
    const error = await rejection(api.post(server.url, { body: 'x' }));
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      effect: 'unknown',
      giveUpReason: 'unsafe',
      attempts: 1,
    });
    expect(isTimeoutError(error.cause)).toBe(true);
    expect(await api.get(server.url).json()).toEqual({ ok: true });
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
    expect(clock.delays).toEqual([100]);
  });

  test('ky’s totalTimeout bounds the whole run, backoff waits included', async () => {
    server = await startScriptedServer({ script: () => json(200, { fault: 'BUSY' }) });
    // The real clock: BUSY asks for a 1000 ms wait, which the 300 ms budget cuts short.
    const api = withTriage(ky, { vendor: acme });
    const start = performance.now();
    const error = await api.get(server.url, { totalTimeout: 300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTimeoutError(error)).toBe(true);
    expect(performance.now() - start).toBeLessThan(900);
    expect(server.requests).toHaveLength(1);
  });

  test('a large success body is classified from a prefix and read whole by the caller', async () => {
    const big = `{"items":[${'"x",'.repeat(200_000)}"y"]}`;
    server = await startScriptedServer({
      script: [{ status: 200, headers: { 'content-type': 'application/json' }, body: big }],
    });
    const api = withTriage(ky, { vendor: acme, maxClassifyBytes: 1024 });
    expect((await api.get(server.url).text()).length).toBe(big.length);
  });

  test('per-request triage options: retry and idempotency', async () => {
    server = await startScriptedServer({ script: () => ({ status: 500 }) });
    const api = withTriage(ky, { vendor: acme, retry: 5, ...exact() });
    expect((await rejection(api.get(server.url, { triage: { retry: false } }))).attempts).toBe(1);
    const idempotent = await rejection(
      api.post(server.url, { body: 'x', triage: { idempotent: true, retry: 2 } }),
    );
    expect(idempotent).toMatchObject({ attempts: 3, giveUpReason: 'exhausted' });
    expect(server.requests).toHaveLength(4);
  });

  test('.extend() keeps triage, and can set triage defaults', async () => {
    server = await startScriptedServer({ script: () => json(200, { fault: 'BUSY' }) });
    const { clock, random } = exact();
    const base = withTriage(ky, { vendor: acme, retry: 5, clock, random });
    const api = base.extend({ prefix: server.url, headers: { 'x-app': 'demo' } });
    const once = api.extend({ triage: { retry: 1 } });
    expect(await rejection(api.get('a'))).toMatchObject({ code: 'BUSY', attempts: 6 });
    expect(await rejection(once.get('b'))).toMatchObject({ code: 'BUSY', attempts: 2 });
    expect(server.requests.map((r) => r.headers['x-app'])).toEqual(Array(8).fill('demo'));
    expect(server.requests.at(-1)?.url).toBe('/b');
  });

  test('triage applied twice: the outer one alone retries', async () => {
    server = await startScriptedServer({ script: () => ({ status: 503 }) });
    const options = { vendor: acme, ...exact() };
    const api = withTriage(withTriage(ky, { ...options, retry: 4 }), { ...options, retry: 1 });
    expect((await rejection(api.get(server.url))).attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  test.each<[string, () => Options, string, RegExp]>([
    ['json', () => ({ json: { a: 1, b: 'ü' } }), '{"a":1,"b":"ü"}', /^application\/json/],
    ['string', () => ({ body: 'plain text' }), 'plain text', /^text\/plain/],
    [
      'URLSearchParams',
      () => ({ body: new URLSearchParams({ a: '1', b: '2' }) }),
      'a=1&b=2',
      /^application\/x-www-form-urlencoded/,
    ],
    [
      'Uint8Array',
      () => ({
        body: new TextEncoder().encode('bytes'),
        headers: { 'content-type': 'application/octet-stream' },
      }),
      'bytes',
      /^application\/octet-stream$/,
    ],
    [
      'Blob',
      () => ({ body: new Blob(['blob'], { type: 'text/x-blob' }) }),
      'blob',
      /^text\/x-blob/,
    ],
  ])('a %s body is sent again unchanged', async (_, make, expected, type) => {
    server = await startScriptedServer({ script: [json(200, { fault: 'BUSY' })] });
    const api = withTriage(ky, { vendor: acme, ...exact() });
    await api.post(server.url, make());
    expect(server.requests.map((r) => r.body)).toEqual([expected, expected]);
    const [first, second] = server.requests.map((r) => r.headers['content-type']);
    expect(first).toMatch(type);
    expect(second).toBe(first);
  });

  test('a FormData body is sent again byte for byte, boundary included', async () => {
    server = await startScriptedServer({ script: [json(200, { fault: 'BUSY' })] });
    const api = withTriage(ky, { vendor: acme, ...exact() });
    const form = new FormData();
    form.set('name', 'Ada');
    form.set('file', new Blob(['hello'], { type: 'text/plain' }), 'a.txt');
    await api.post(server.url, { body: form });
    const [first, second] = server.requests;
    expect(first?.body).toContain('name="name"\r\n\r\nAda');
    expect(first?.body).toContain('filename="a.txt"');
    expect(second?.body).toBe(first?.body);
    expect(first?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(second?.headers['content-type']).toBe(first?.headers['content-type']);
  });

  test('a ReadableStream body is sent once and never retried', async () => {
    server = await startScriptedServer({ script: [json(200, { fault: 'BUSY' })] });
    const api = withTriage(ky, { vendor: acme });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const error = await rejection(api.post(server.url, { body: stream }));
    expect(error.giveUpReason).toBe('not-replayable');
    expect(server.requests.map((r) => r.body)).toEqual(['streamed']);
  });

  test('ky’s hooks see one request: afterResponse the final response, beforeError the VendorError', async () => {
    server = await startScriptedServer({ script: [json(200, { fault: 'BUSY' })] });
    const afterResponse = vi.fn();
    const beforeError = vi.fn(({ error }: { error: Error }) => error);
    const api = withTriage(
      ky.create({ hooks: { afterResponse: [afterResponse], beforeError: [beforeError] } }),
      {
        vendor: acme,
        ...exact(),
      },
    );
    expect(await api.get(server.url).json()).toEqual({ ok: true });
    expect(afterResponse).toHaveBeenCalledTimes(1);
    expect(beforeError).not.toHaveBeenCalled();
    await server.close();
    server = await startScriptedServer({ script: () => json(400, { fault: 'BAD' }) });
    await rejection(api.get(server.url));
    expect(beforeError).toHaveBeenCalledTimes(1);
    expect(isVendorError(beforeError.mock.calls[0]?.[0].error)).toBe(true);
  });

  test('ky’s fetch option is the fetch each attempt goes through', async () => {
    server = await startScriptedServer({ script: [{ status: 503 }] });
    const calls: string[] = [];
    const instance = ky.create({
      fetch: (input, init) => {
        calls.push(input instanceof Request ? input.method : 'GET');
        return fetch(input, init);
      },
    });
    const api = withTriage(instance, { vendor: acme, ...exact() });
    await api.get(server.url);
    expect(calls).toEqual(['GET', 'GET']);
  });

  test('a non-2xx status no profile flags is ky’s plain HTTPError; throwHttpErrors: false returns it', async () => {
    // 304 is not ok for fetch, so ky throws, but it is no failure in any HTTP profile.
    server = await startScriptedServer({ script: () => ({ status: 304 }) });
    const api = withTriage(ky, { vendor: acme });
    const error = await api.get(server.url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHTTPError(error)).toBe(true);
    const response = await api.get(server.url, { throwHttpErrors: false });
    expect(response.status).toBe(304);
    expect(server.requests).toHaveLength(2);
  });
});
