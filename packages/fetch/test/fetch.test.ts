import type { TriageEvent } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { createManualClock } from '@triage/testing';
import {
  type ScriptedResponse,
  type ScriptedServer,
  startScriptedServer,
} from '@triage/testing/node';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  acme,
  json,
  vendorRejection as rejection,
} from '../../../test/support/adapter-fixtures.ts';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('createTriageFetch', () => {
  test('an error inside a 200 body is retried after the vendor floor; the success body is readable', async () => {
    server = await startScriptedServer({
      script: [json(200, { fault: 'BUSY' }), json(200, { fault: 'BUSY' })],
      thereafter: json(200, { id: 7 }),
    });
    const clock = createManualClock({ autoAdvance: true });
    const events: TriageEvent[] = [];
    const fetch = createTriageFetch({
      vendor: acme,
      clock,
      random: () => 0.5,
      onEvent: (e) => events.push(e),
    });
    const res = await fetch(`${server.url}/book`, { method: 'POST', body: '{"slot":1}' });
    expect(await res.json()).toEqual({ id: 7 });
    expect(server.requests.map((r) => [r.method, r.body])).toEqual([
      ['POST', '{"slot":1}'],
      ['POST', '{"slot":1}'],
      ['POST', '{"slot":1}'],
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

  test('validation: no retry, fields filled, the error response body is still readable', async () => {
    server = await startScriptedServer({ script: [json(400, { fault: 'BAD', field: 'email' })] });
    const fetch = createTriageFetch({ vendor: acme });
    const error = await rejection(fetch(`${server.url}/x`, { method: 'POST', body: 'a' }));
    expect(error).toMatchObject({
      category: 'validation',
      code: 'BAD',
      status: 400,
      fields: [{ name: 'email' }],
      attempts: 1,
    });
    const response = error.response as Response;
    expect(await response.json()).toEqual({ fault: 'BAD', field: 'email' });
    expect(error.cause).toBe(response);
    expect(server.requests).toHaveLength(1);
  });

  test('HTTP 500 on a POST is not retried; on a GET it is', async () => {
    server = await startScriptedServer({ script: [{ status: 500 }, { status: 500 }] });
    const fetch = createTriageFetch({
      vendor: acme,
      clock: createManualClock({ autoAdvance: true }),
    });
    expect(await rejection(fetch(server.url, { method: 'POST', body: 'x' }))).toMatchObject({
      status: 500,
      giveUpReason: 'unsafe',
      attempts: 1,
    });
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
  });

  test('every replayable body kind is sent again unchanged', async () => {
    const bodies: [string, () => BodyInit, string][] = [
      ['string', () => 'plain', 'plain'],
      ['Uint8Array', () => new TextEncoder().encode('bytes'), 'bytes'],
      ['ArrayBuffer', () => new TextEncoder().encode('buffer').buffer as ArrayBuffer, 'buffer'],
      ['Blob', () => new Blob(['blob']), 'blob'],
      ['URLSearchParams', () => new URLSearchParams({ a: '1', b: '2' }), 'a=1&b=2'],
    ];
    for (const [, make, expected] of bodies) {
      server = await startScriptedServer({ script: [json(200, { fault: 'BUSY' })] });
      const fetch = createTriageFetch({
        vendor: acme,
        clock: createManualClock({ autoAdvance: true }),
      });
      await fetch(server.url, { method: 'POST', body: make() });
      expect(server.requests.map((r) => r.body)).toEqual([expected, expected]);
      await server.close();
    }
    server = await startScriptedServer({ script: [json(200, { fault: 'BUSY' })] });
    const form = new FormData();
    form.set('name', 'Ada');
    const fetch = createTriageFetch({
      vendor: acme,
      clock: createManualClock({ autoAdvance: true }),
    });
    await fetch(server.url, { method: 'POST', body: form });
    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) expect(request.body).toContain('name="name"\r\n\r\nAda');
  });

  test('a ReadableStream body is never retried, and the error says why', async () => {
    server = await startScriptedServer({ script: [json(200, { fault: 'BUSY' })] });
    const fetch = createTriageFetch({ vendor: acme });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const error = await rejection(
      fetch(server.url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit),
    );
    expect(error.giveUpReason).toBe('not-replayable');
    expect(server.requests).toHaveLength(1);
  });

  test('a Request as input: method, headers and body are replayed', async () => {
    server = await startScriptedServer({ script: [json(200, { fault: 'BUSY' })] });
    const fetch = createTriageFetch({
      vendor: acme,
      clock: createManualClock({ autoAdvance: true }),
    });
    const res = await fetch(
      new Request(server.url, { method: 'PUT', body: 'req-body', headers: { 'x-a': '1' } }),
    );
    expect(res.ok).toBe(true);
    expect(server.requests.map((r) => [r.method, r.body, r.headers['x-a']])).toEqual([
      ['PUT', 'req-body', '1'],
      ['PUT', 'req-body', '1'],
    ]);
  });

  test('auth: apply sets the header each attempt; refresh runs once', async () => {
    server = await startScriptedServer({
      script: (req) =>
        req.headers['x-token'] === 'fresh' ? json(200, { ok: 1 }) : json(401, { fault: 'EXPIRED' }),
    });
    let token = 'stale';
    const refresh = vi.fn(async () => {
      token = 'fresh';
    });
    const fetch = createTriageFetch({
      vendor: acme,
      auth: { refresh, apply: (r) => r.headers.set('x-token', token) },
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => fetch(server!.url, { method: 'POST', body: 'b' })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  test('auth.apply may rewrite a text body', async () => {
    server = await startScriptedServer({ script: [] });
    const fetch = createTriageFetch({
      vendor: acme,
      auth: {
        refresh: async () => {},
        apply: (r) => {
          r.body = `${String(r.body)}&session=abc`;
        },
      },
    });
    await fetch(server.url, { method: 'POST', body: 'a=1' });
    expect(server.requests[0]?.body).toBe('a=1&session=abc');
  });

  test('a connection reset before the response is a classified network error', async () => {
    server = await startScriptedServer({ script: [{ reset: 'before' }, { reset: 'before' }] });
    const fetch = createTriageFetch({
      vendor: acme,
      clock: createManualClock({ autoAdvance: true }),
    });
    const error = await rejection(fetch(server.url, { method: 'POST', body: 'x' }));
    expect(error).toMatchObject({
      category: 'retryable',
      effect: 'unknown',
      code: 'ECONNRESET',
      giveUpReason: 'unsafe',
      attempts: 1,
    });
    const res = await fetch(server.url);
    expect(res.ok).toBe(true);
    expect(server.requests).toHaveLength(3);
  });

  test('a refused connection is retried even for a POST (the request never left)', async () => {
    const probe = await startScriptedServer({ script: [] });
    const url = probe.url;
    await probe.close();
    const fetch = createTriageFetch({
      vendor: acme,
      retry: { retries: 2 },
      clock: createManualClock({ autoAdvance: true }),
    });
    const error = await rejection(fetch(url, { method: 'POST', body: 'x' }));
    expect(error).toMatchObject({
      code: 'ECONNREFUSED',
      effect: 'none',
      attempts: 3,
      giveUpReason: 'exhausted',
    });
  });

  test('abort during a backoff wait rejects within 10 ms with the abort reason', async () => {
    server = await startScriptedServer({ script: [json(200, { fault: 'BUSY' })] });
    const fetch = createTriageFetch({ vendor: acme });
    const controller = new AbortController();
    const events: TriageEvent[] = [];
    const pending = fetch(server.url, {
      signal: controller.signal,
      triage: { onEvent: (e) => events.push(e) },
    });
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('retry'));
    const reason = new Error('user left');
    const start = performance.now();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(performance.now() - start).toBeLessThan(10);
  });

  test('a large successful body is read only in part for classification, and whole by the caller', async () => {
    const big = `{"items":[${'"x",'.repeat(500_000)}"y"]}`;
    server = await startScriptedServer({
      script: [{ status: 200, headers: { 'content-type': 'application/json' }, body: big }],
    });
    const fetch = createTriageFetch({ vendor: acme, maxClassifyBytes: 1024 });
    const res = await fetch(server.url);
    expect((await res.text()).length).toBe(big.length);
  });

  test('binary success bodies are not read for classification', async () => {
    server = await startScriptedServer({
      script: [
        { status: 200, headers: { 'content-type': 'image/png' }, body: new Uint8Array([1, 2, 3]) },
      ],
    });
    const fetch = createTriageFetch({ vendor: acme });
    const res = await fetch(server.url);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  test('the caller gets fetch’s own Response: url, redirected, type, status and headers kept', async () => {
    server = await startScriptedServer({
      script: (request): ScriptedResponse =>
        request.url === '/start'
          ? { status: 302, headers: { location: '/final' } }
          : {
              status: 201,
              headers: { 'content-type': 'application/json', 'x-id': '9' },
              body: '{"id":9}',
            },
    });
    const fetch = createTriageFetch({ vendor: acme });
    const res = await fetch(`${server.url}/start`);
    expect(res).toBeInstanceOf(Response);
    expect([res.status, res.statusText, res.ok, res.redirected, res.type]).toEqual([
      201,
      'Created',
      true,
      true,
      'basic',
    ]);
    expect(res.url).toBe(`${server.url}/final`);
    expect(res.headers.get('x-id')).toBe('9');
    expect(res.bodyUsed).toBe(false);
    const copy = res.clone();
    expect([copy.url, copy.redirected, copy.status]).toEqual([res.url, true, 201]);
    expect(await res.json()).toEqual({ id: 9 });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    expect(await copy.text()).toBe('{"id":9}');
  });

  test('a success body is parsed once: `json()` gets what classification parsed', async () => {
    server = await startScriptedServer({ script: [json(200, { id: 6 }), json(200, { id: 7 })] });
    const fetch = createTriageFetch({ vendor: acme });
    // The first request to an origin sets up undici's connection pool, which parses its options.
    await (await fetch(server.url)).json();
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const res = await fetch(server.url);
      expect(await res.json()).toEqual({ id: 7 });
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  test('without auth, fetch gets the caller’s own headers init, converted once by fetch itself', async () => {
    const seen: (HeadersInit | undefined)[] = [];
    const headers = { 'content-type': 'application/json', 'x-a': '1' };
    const fetch = createTriageFetch({
      vendor: acme,
      fetch: async (_input, init) => {
        seen.push(init?.headers);
        return new Response('{"ok":true}', { headers: { 'content-type': 'application/json' } });
      },
    });
    await fetch('https://api.test/x', { method: 'POST', body: '{}', headers });
    expect(seen).toEqual([headers]);
    expect(seen[0]).toBe(headers);
  });

  test('per-request retry options', async () => {
    server = await startScriptedServer({ script: [json(200, { fault: 'BUSY' })] });
    const fetch = createTriageFetch({ vendor: acme, retry: 5 });
    const error = await rejection(fetch(server.url, { triage: { retry: false } }));
    expect(error.attempts).toBe(1);
  });
});
