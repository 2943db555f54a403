import { Readable } from 'node:stream';
import { attachTriage } from '@triage/axios';
import { isVendorError, type TriageEvent } from '@triage/core';
import { createManualClock } from '@triage/testing';
import {
  type ScriptedResponse,
  type ScriptedServer,
  startScriptedServer,
} from '@triage/testing/node';
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { acme, json, rejection, vendorRejection } from '../../../test/support/adapter-fixtures.ts';

const BUSY = json(200, { fault: 'BUSY' });

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(script: ScriptedResponse[], then?: ScriptedResponse): Promise<ScriptedServer> {
  server = await startScriptedServer(
    then === undefined ? { script } : { script, thereafter: then },
  );
  return server;
}

/** An instance on the server's URL with triage attached, on a clock that never really waits. */
function client(options: Partial<Parameters<typeof attachTriage>[1]> = {}): AxiosInstance {
  const api = axios.create({ baseURL: server!.url });
  attachTriage(api, {
    vendor: acme,
    clock: createManualClock({ autoAdvance: true }),
    random: () => 0.5,
    ...options,
  });
  return api;
}

describe('attachTriage', () => {
  test('an error inside a 200 body is retried after the vendor floor; the caller gets parsed JSON', async () => {
    await serve([BUSY, BUSY], json(200, { id: 7 }));
    const clock = createManualClock({ autoAdvance: true });
    const events: TriageEvent[] = [];
    const api = client({ clock, onEvent: (e) => events.push(e) });
    const res = await api.post('/book', { slot: 1 });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ id: 7 });
    expect(server!.requests.map((r) => [r.method, r.url, r.body])).toEqual([
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
    expect(events[0]).toMatchObject({ request: { method: 'POST', url: `${server!.url}/book` } });
  });

  test('an error inside a 200 body that is not retried: cause and response are the AxiosResponse', async () => {
    await serve([BUSY]);
    const error = await vendorRejection(client().get('/x', { triage: { retry: false } }));
    expect(error).toMatchObject({ code: 'BUSY', status: 200, attempts: 1 });
    const response = error.response as AxiosResponse;
    expect(error.cause).toBe(response);
    expect(response.data).toEqual({ fault: 'BUSY' });
  });

  test('validation: no retry, fields filled; cause is the AxiosError, response its AxiosResponse', async () => {
    await serve([json(400, { fault: 'BAD', field: 'email' })]);
    const error = await vendorRejection(client().post('/x', 'a'));
    expect(error).toMatchObject({
      category: 'validation',
      code: 'BAD',
      status: 400,
      fields: [{ name: 'email' }],
      attempts: 1,
    });
    expect(axios.isAxiosError(error.cause)).toBe(true);
    const response = error.response as AxiosResponse;
    expect(response.status).toBe(400);
    expect(axios.isAxiosError(error.cause) && error.cause.response).toBe(response);
    // axios's transformResponse still ran on the rejected response, as without triage.
    expect(response.data).toEqual({ fault: 'BAD', field: 'email' });
    expect(server!.requests).toHaveLength(1);
  });

  test('HTTP 500 on a POST is not retried; on a GET it is', async () => {
    await serve([{ status: 500 }, { status: 500 }]);
    const api = client();
    expect(await vendorRejection(api.post('/', 'x'))).toMatchObject({
      status: 500,
      giveUpReason: 'unsafe',
      attempts: 1,
    });
    const res = await api.get('/');
    expect(res.data).toEqual({ ok: true });
    expect(server!.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
  });

  test('a POST with an Idempotency-Key, or marked idempotent per request, is retried', async () => {
    await serve([{ status: 500 }, json(200, {}), { status: 500 }]);
    const api = client();
    await api.post('/', 'x', { headers: { 'Idempotency-Key': 'k1' } });
    await api.post('/', 'y', { triage: { idempotent: true } });
    expect(server!.requests.map((r) => r.body)).toEqual(['x', 'x', 'y', 'y']);
  });

  test('a connection reset before the response is a classified network error', async () => {
    await serve([{ reset: 'before' }, { reset: 'before' }]);
    const api = client();
    const error = await vendorRejection(api.post('/', 'x'));
    expect(error).toMatchObject({
      category: 'retryable',
      effect: 'unknown',
      code: 'ECONNRESET',
      giveUpReason: 'unsafe',
      attempts: 1,
    });
    expect(axios.isAxiosError(error.cause)).toBe(true);
    expect(error.response).toBeUndefined();
    expect((await api.get('/')).status).toBe(200);
    expect(server!.requests).toHaveLength(3);
  });

  test('a refused connection is retried even for a POST (the request never left)', async () => {
    const probe = await startScriptedServer({ script: [] });
    const url = probe.url;
    await probe.close();
    const api = axios.create({ baseURL: url });
    attachTriage(api, {
      vendor: acme,
      retry: { retries: 2 },
      clock: createManualClock({ autoAdvance: true }),
    });
    const error = await vendorRejection(api.post('/', 'x'));
    expect(error).toMatchObject({
      code: 'ECONNREFUSED',
      effect: 'none',
      attempts: 3,
      giveUpReason: 'exhausted',
    });
  });

  test('auth: apply sets the header on each attempt; 10 concurrent 401s refresh once', async () => {
    server = await startScriptedServer({
      script: (req) =>
        req.headers['x-token'] === 'fresh' ? json(200, { ok: 1 }) : json(401, { fault: 'EXPIRED' }),
    });
    let token = 'stale';
    const refresh = vi.fn(async () => {
      token = 'fresh';
    });
    const api = client({ auth: { refresh, apply: (r) => r.headers.set('x-token', token) } });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => api.post('/', { i })));
    expect(results.map((r) => r.data)).toEqual(Array.from({ length: 10 }, () => ({ ok: 1 })));
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(server.requests).toHaveLength(20);
  });

  test('auth.apply may change the query and rewrite a text body; the next attempt starts afresh', async () => {
    await serve([json(200, { fault: 'BUSY' })]);
    let n = 0;
    const api = client({
      auth: {
        refresh: async () => {},
        apply: (r) => {
          n++;
          r.url.searchParams.set('session', `s${n}`);
          r.body = `${String(r.body)}&n=${n}`;
        },
      },
    });
    await api.post('/form', 'a=1', {
      params: { q: 'x' },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(server!.requests.map((r) => [r.url, r.body, r.headers['content-length']])).toEqual([
      ['/form?q=x&session=s1', 'a=1&n=1', '7'],
      ['/form?q=x&session=s2', 'a=1&n=2', '7'],
    ]);
  });

  test('auth.apply may rewrite a binary body', async () => {
    await serve([]);
    const api = client({
      auth: {
        refresh: async () => {},
        apply: (r) => {
          r.body = new Uint8Array([...(r.body as Uint8Array), 0x21]);
        },
      },
    });
    await api.post('/', Buffer.from('hi'), {
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(server!.requests.map((r) => r.body)).toEqual(['hi!']);
  });

  test('a URL axios cannot send is left to axios to report', async () => {
    const plain = await rejection(axios.create().get('/relative'));
    const api = axios.create();
    attachTriage(api, { vendor: acme });
    const error = await rejection(api.get('/relative'));
    expect(isVendorError(error)).toBe(false);
    expect(error).toMatchObject({ name: (plain as Error).name, message: (plain as Error).message });
  });

  test('interceptors and transforms run once per call, however many attempts it takes', async () => {
    await serve([BUSY, BUSY], json(200, { id: 7 }));
    const api = client();
    const counts = { request: 0, response: 0, transformRequest: 0, transformResponse: 0 };
    api.interceptors.request.use((config) => {
      counts.request++;
      config.headers.set('x-call', String(counts.request));
      return config;
    });
    api.interceptors.response.use((response) => {
      counts.response++;
      return response;
    });
    const res = await api.post(
      '/',
      { a: 1 },
      {
        transformRequest: [
          (data: unknown) => {
            counts.transformRequest++;
            return JSON.stringify(data);
          },
        ],
        transformResponse: [
          (data: string) => {
            counts.transformResponse++;
            return JSON.parse(data) as unknown;
          },
        ],
      },
    );
    expect(res.data).toEqual({ id: 7 });
    expect(counts).toEqual({ request: 1, response: 1, transformRequest: 1, transformResponse: 1 });
    // The body was serialized once and replayed as is (never double-encoded).
    expect(server!.requests.map((r) => [r.body, r.headers['x-call']])).toEqual([
      ['{"a":1}', '1'],
      ['{"a":1}', '1'],
      ['{"a":1}', '1'],
    ]);
  });

  test('a success body is parsed once: the caller gets the object classification parsed', async () => {
    await serve([json(200, { id: 7 })]);
    const api = client();
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const res = await api.get('/');
      expect(res.data).toEqual({ id: 7 });
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  test('a parseReviver, or a transform of the caller’s own, parses as axios does', async () => {
    await serve([], json(200, { id: 7 }));
    const reviver = (_key: string, value: unknown) =>
      typeof value === 'number' ? value * 2 : value;
    const revived = await client().get('/', { parseReviver: reviver } as AxiosRequestConfig);
    expect(revived.data).toEqual({ id: 14 });
    const seen: unknown[] = [];
    const own = await client().get('/', {
      transformResponse: [
        (data: unknown) => {
          seen.push(data);
          return 'mine';
        },
      ],
    });
    expect([own.data, seen]).toEqual(['mine', ['{"id":7}']]);
  });

  test('a retry starts from the headers axios built, not from what the adapter added', async () => {
    const seen: (string | undefined)[] = [];
    let calls = 0;
    const api = axios.create({
      adapter: async (config) => {
        calls++;
        seen.push(config.headers.get('x-added') as string | undefined);
        // What axios's own adapters do: add headers to the config they are given.
        config.headers.set('x-added', `attempt ${calls}`);
        const body = calls === 1 ? { fault: 'BUSY' } : { id: 7 };
        return { data: JSON.stringify(body), status: 200, statusText: 'OK', headers: {}, config };
      },
    });
    attachTriage(api, { vendor: acme, clock: createManualClock({ autoAdvance: true }) });
    const res = await api.get('https://api.test/x');
    expect(res.data).toEqual({ id: 7 });
    expect(seen).toEqual([undefined, undefined]);
  });

  test("the caller's config is not mutated across attempts", async () => {
    await serve([{ status: 503 }, BUSY]);
    const api = client({
      auth: { refresh: async () => {}, apply: (r) => r.headers.set('authorization', 'Bearer t') },
    });
    const config: AxiosRequestConfig = {
      url: '/items',
      method: 'put',
      headers: { 'x-a': '1' },
      params: { page: 2 },
      data: { name: 'Ada', tags: ['x'] },
      timeout: 5000,
      triage: { retry: { retries: 3 } },
    };
    const before = structuredClone(config);
    const res = await api.request(config);
    expect(res.status).toBe(200);
    expect(config).toEqual(before);
    expect(server!.requests).toHaveLength(3);
    for (const request of server!.requests) {
      expect([request.url, request.body, request.headers.authorization]).toEqual([
        '/items?page=2',
        '{"name":"Ada","tags":["x"]}',
        'Bearer t',
      ]);
    }
  });

  test('attaching twice: one interceptor, the newest options, attempts never multiply', async () => {
    await serve([], BUSY);
    const api = axios.create({ baseURL: server!.url });
    const before = api.interceptors.request.handlers?.length;
    const clock = createManualClock({ autoAdvance: true });
    const detachFirst = attachTriage(api, { vendor: acme, clock, retry: 1 });
    const detachSecond = attachTriage(api, { vendor: acme, clock, retry: 2 });
    expect(api.interceptors.request.handlers?.filter((h) => h !== null)).toHaveLength(
      (before ?? 0) + 1,
    );
    expect(await vendorRejection(api.get('/'))).toMatchObject({ attempts: 3 });
    expect(server!.requests).toHaveLength(3);
    detachSecond();
    detachSecond();
    expect(await vendorRejection(api.get('/'))).toMatchObject({ attempts: 2 });
    detachFirst();
    const plain = await api.get('/');
    expect(plain.data).toEqual({ fault: 'BUSY' });
    expect(server!.requests).toHaveLength(6);
  });

  test('a config taken from a response and sent again goes through triage once, body unchanged', async () => {
    await serve([BUSY, json(200, { id: 7 }), BUSY], json(200, { id: 8 }));
    const api = client();
    const first = await api.post('/', { a: 1 });
    const again = await api.request(first.config);
    expect([first.data, again.data]).toEqual([{ id: 7 }, { id: 8 }]);
    expect(server!.requests.map((r) => r.body)).toEqual(Array.from({ length: 4 }, () => '{"a":1}'));
  });

  test('instance.defaults.triage applies to every request of the instance', async () => {
    await serve([], BUSY);
    const api = client({ retry: 5 });
    api.defaults.triage = { retry: 1 };
    expect(await vendorRejection(api.get('/'))).toMatchObject({ attempts: 2 });
  });

  test('detach restores plain axios', async () => {
    await serve([{ status: 500 }]);
    const api = axios.create({ baseURL: server!.url });
    const handlers = api.interceptors.request.handlers?.filter((h) => h !== null).length;
    const detach = attachTriage(api, { vendor: acme });
    detach();
    expect(api.interceptors.request.handlers?.filter((h) => h !== null).length).toBe(handlers);
    const error = await rejection(api.get('/'));
    expect(isVendorError(error)).toBe(false);
    expect(axios.isAxiosError(error) && error.response?.status).toBe(500);
    expect(server!.requests).toHaveLength(1);
  });

  test.each([
    ['json', { id: 7 }],
    ['text', '{"id":7}'],
    ['arraybuffer', Buffer.from('{"id":7}')],
  ] as const)(
    'responseType %s: classified on the raw body, returned as axios returns it',
    async (responseType, expected) => {
      await serve([BUSY], json(200, { id: 7 }));
      const res = await client().get('/', { responseType });
      expect(res.data).toEqual(expected);
      expect(server!.requests).toHaveLength(2);
    },
  );

  test('a stream response is classified by status and released when another attempt follows', async () => {
    await serve([{ status: 503, body: 'busy' }], { status: 200, body: 'payload' });
    const res = await client().get<Readable>('/', { responseType: 'stream' });
    const chunks: Buffer[] = [];
    for await (const chunk of res.data) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('payload');
    expect(server!.requests).toHaveLength(2);
  });

  test("axios's fetch adapter is wrapped the same way", async () => {
    await serve([BUSY], json(200, { id: 7 }));
    const res = await client().get('/', { adapter: 'fetch' });
    expect(res.data).toEqual({ id: 7 });
    expect(server!.requests).toHaveLength(2);
  });

  test("axios's fetch adapter: a stream response is cancelled when another attempt follows", async () => {
    await serve([{ status: 503, body: 'busy' }], { status: 200, body: 'payload' });
    const res = await client().get<ReadableStream<Uint8Array>>('/', {
      adapter: 'fetch',
      responseType: 'stream',
    });
    expect(await new Response(res.data).text()).toBe('payload');
    expect(server!.requests).toHaveLength(2);
  });

  test('a custom adapter is wrapped too: parsed data and plain header records are classified', async () => {
    const calls: string[] = [];
    const api = axios.create({
      adapter: async (config) => {
        calls.push(String(config.url));
        const busy = calls.length === 1;
        return {
          data: busy ? { fault: 'BUSY' } : { id: 7 },
          status: 200,
          statusText: 'OK',
          // Plain records, or nothing at all, as mock adapters hand them over.
          headers: busy ? { 'Retry-After': '2' } : undefined,
          config,
        } as AxiosResponse;
      },
    });
    const clock = createManualClock({ autoAdvance: true });
    attachTriage(api, { vendor: acme, clock, random: () => 0.5 });
    const res = await api.get('https://vendor.example/x');
    expect(res.data).toEqual({ id: 7 });
    expect(calls).toEqual(['https://vendor.example/x', 'https://vendor.example/x']);
    expect(clock.delays).toEqual([2000]);
  });

  test("axios's `timeout` applies to each attempt; a timed-out GET is retried", async () => {
    await serve([{ ...json(200, { late: true }), delayMs: 2000 }], json(200, { id: 7 }));
    const events: TriageEvent[] = [];
    const res = await client({ onEvent: (e) => events.push(e) }).get('/', { timeout: 50 });
    expect(res.data).toEqual({ id: 7 });
    expect(server!.requests).toHaveLength(2);
    expect(events[0]).toMatchObject({
      type: 'classified',
      classification: { code: 'ECONNABORTED', source: 'timeout' },
    });
  });

  test('abort during a backoff wait rejects within 10 ms: a CanceledError carrying the reason', async () => {
    await serve([BUSY]);
    const api = axios.create({ baseURL: server!.url });
    attachTriage(api, { vendor: acme });
    const controller = new AbortController();
    const events: TriageEvent[] = [];
    const pending = rejection(
      api.get('/', { signal: controller.signal, triage: { onEvent: (e) => events.push(e) } }),
    );
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('retry'));
    const reason = new Error('user left');
    const start = performance.now();
    controller.abort(reason);
    const error = await pending;
    expect(performance.now() - start).toBeLessThan(10);
    expect(axios.isCancel(error)).toBe(true);
    expect((error as Error).cause).toBe(reason);
    expect(server!.requests).toHaveLength(1);
  });

  test("the options' signal aborts a pending wait with its reason as is", async () => {
    await serve([BUSY]);
    const controller = new AbortController();
    const events: TriageEvent[] = [];
    const api = axios.create({ baseURL: server!.url });
    attachTriage(api, { vendor: acme, signal: controller.signal, onEvent: (e) => events.push(e) });
    const pending = rejection(api.get('/'));
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('retry'));
    const reason = new Error('shutting down');
    controller.abort(reason);
    expect(await pending).toBe(reason);
  });

  test('a signal that is not an AbortSignal (axios accepts any with its shape) stops a pending wait', async () => {
    await serve([BUSY]);
    const api = axios.create({ baseURL: server!.url });
    const events: TriageEvent[] = [];
    attachTriage(api, { vendor: acme, onEvent: (e) => events.push(e) });
    // A class instance: axios's mergeConfig would clone a plain object and lose later changes.
    class GenericSignal extends EventTarget {
      aborted = false;
      reason: unknown;
      abort(reason: unknown): void {
        this.aborted = true;
        this.reason = reason;
        this.dispatchEvent(new Event('abort'));
      }
    }
    const signal = new GenericSignal();
    const pending = rejection(api.get('/', { signal }));
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('retry'));
    const reason = new Error('closed');
    signal.abort(reason);
    const error = await pending;
    expect(axios.isCancel(error) && (error as Error).cause).toBe(reason);
  });

  test('a legacy cancelToken also stops a pending wait', async () => {
    await serve([BUSY]);
    const api = axios.create({ baseURL: server!.url });
    const events: TriageEvent[] = [];
    attachTriage(api, { vendor: acme, onEvent: (e) => events.push(e) });
    const source = axios.CancelToken.source();
    const pending = rejection(api.get('/', { cancelToken: source.token }));
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('retry'));
    source.cancel('navigated away');
    const error = await pending;
    expect(axios.isCancel(error) && error.message).toBe('navigated away');
  });

  test('config.triage overrides the retry options for one request', async () => {
    await serve([], BUSY);
    const api = client({ retry: 5 });
    expect(await vendorRejection(api.get('/', { triage: { retry: false } }))).toMatchObject({
      attempts: 1,
    });
    expect(await vendorRejection(api.get('/', { triage: { retry: 1 } }))).toMatchObject({
      attempts: 2,
    });
  });

  test("an error from the user's validateStatus on a 3xx passes through unchanged", async () => {
    await serve([{ status: 302, headers: { location: '/elsewhere' } }]);
    const error = await rejection(
      client().get('/', { maxRedirects: 0, validateStatus: (status) => status === 200 }),
    );
    expect(isVendorError(error)).toBe(false);
    expect(axios.isAxiosError(error) && [error.code, error.response?.status]).toEqual([
      'ERR_BAD_RESPONSE',
      302,
    ]);
    expect(server!.requests).toHaveLength(1);
  });

  test('a stream request body is never retried, and the error says why', async () => {
    await serve([BUSY]);
    const error = await vendorRejection(client().put('/', Readable.from(['streamed'])));
    expect(error.giveUpReason).toBe('not-replayable');
    expect(server!.requests.map((r) => r.body)).toEqual(['streamed']);
  });

  test('FormData bodies are rebuilt for each attempt', async () => {
    await serve([BUSY]);
    const form = new FormData();
    form.set('name', 'Ada');
    await client().put('/', form);
    expect(server!.requests).toHaveLength(2);
    for (const request of server!.requests)
      expect(request.body).toContain('name="name"\r\n\r\nAda');
  });
});
