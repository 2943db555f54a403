import {
  type AttemptContext,
  type AttemptOutcome,
  type AttemptRequest,
  createEngine,
  defineVendor,
  type EngineRequest,
  http,
  isVendorError,
  type TriageEvent,
  type TriageOptions,
  type VendorError,
} from '@triage/core';
import { createManualClock } from '@triage/testing';
import { describe, expect, test, vi } from 'vitest';

/** A fake vendor: JSON `{ "fault": "CODE" }` bodies. */
const acme = defineVendor({
  name: 'acme',
  codes: {
    BUSY: {
      category: 'retryable',
      effect: 'none',
      throttle: true,
      reason: 'busy',
      retry: { minDelayMs: 1000 },
    },
    FLAKY: { category: 'retryable', effect: 'unknown', reason: 'server hiccup' },
    EXPIRED: { category: 'auth', refreshable: true, reason: 'token expired' },
    DENIED: { category: 'auth', refreshable: false, reason: 'wrong key' },
    BAD: { category: 'validation', reason: 'bad input' },
    DEAD: { category: 'fatal', reason: 'gone' },
  },
  detect: (view) => {
    const fault = (view.json() as { fault?: string } | undefined)?.fault;
    return fault === undefined ? undefined : { code: fault, message: `fault ${fault}` };
  },
});

interface Res {
  status: number;
  body: string;
  headers?: Record<string, string>;
}
type Step = Res | Error;

const ok: Res = { status: 200, body: '{"ok":true}' };
const fault = (code: string, status = 200, headers?: Record<string, string>): Res => ({
  status,
  body: JSON.stringify({ fault: code }),
  headers,
});

/** A request whose attempts answer the script in order (the last step repeats). */
function scripted(steps: Step[], over: Partial<EngineRequest<Res>> = {}) {
  const sent: AttemptRequest[] = [];
  const request: EngineRequest<Res> = {
    method: 'POST',
    url: 'https://api.acme.test/v1/things?api_key=SECRET',
    async send(attemptRequest): Promise<AttemptOutcome<Res>> {
      sent.push(attemptRequest);
      const step = steps[Math.min(sent.length - 1, steps.length - 1)]!;
      if (step instanceof Error) return { error: step };
      return {
        response: step,
        input: { status: step.status, body: step.body, headers: step.headers ?? {} },
      };
    },
    ...over,
  };
  return { request, sent };
}

function setup(options: Partial<TriageOptions> = {}) {
  const clock = createManualClock({ autoAdvance: true, start: Date.parse('2026-11-22T10:00:00Z') });
  const events: TriageEvent[] = [];
  const engine = createEngine({
    vendor: acme,
    clock,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...options,
  });
  return { clock, events, engine };
}

async function rejection(promise: Promise<unknown>): Promise<VendorError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  if (!isVendorError(error)) throw error;
  return error;
}

describe('engine: retryable failures', () => {
  test('CO3-like throttle on a POST: retried after the vendor floor, then success', async () => {
    const { engine, clock, events } = setup();
    const { request, sent } = scripted([fault('BUSY'), fault('BUSY'), ok]);
    await expect(engine.execute(request)).resolves.toBe(ok);
    expect(sent).toHaveLength(3);
    expect(clock.delays).toEqual([1000, 1000]);
    expect(events.map((e) => e.type)).toEqual([
      'classified',
      'retry',
      'classified',
      'retry',
      'recovered',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'recovered', attempt: 3, elapsedMs: 2000 });
    expect(events[1]).toMatchObject({
      type: 'retry',
      attempt: 1,
      delayMs: 1000,
      category: 'retryable',
      code: 'BUSY',
      reason: 'backoff',
    });
  });

  test('exact full-jitter delays: 100, 200, 400 with random 0.5 and minDelay 200', async () => {
    const { engine, clock } = setup({ retry: { retries: 3 } });
    const { request, sent } = scripted([fault('FLAKY', 503)], { method: 'GET' });
    const error = await rejection(engine.execute(request));
    expect(sent).toHaveLength(4);
    expect(clock.delays).toEqual([100, 200, 400]);
    expect(error).toMatchObject({
      vendor: 'acme',
      code: 'FLAKY',
      category: 'retryable',
      attempts: 4,
      giveUpReason: 'exhausted',
      status: 503,
    });
    expect((error.response as Res).status).toBe(503);
    expect(error.cause).toBe(error.response);
  });

  test('effect unknown on a POST is not retried; the same with GET, PUT, DELETE or an Idempotency-Key is', async () => {
    const { engine } = setup({ retry: 1 });
    const post = scripted([fault('FLAKY', 500), ok]);
    expect(await rejection(engine.execute(post.request))).toMatchObject({
      attempts: 1,
      giveUpReason: 'unsafe',
    });
    expect(post.sent).toHaveLength(1);
    for (const method of ['GET', 'put', 'DELETE', 'HEAD', 'OPTIONS', 'QUERY']) {
      const again = scripted([fault('FLAKY', 500), ok], { method });
      await expect(engine.execute(again.request)).resolves.toBe(ok);
      expect(again.sent).toHaveLength(2);
    }
    const keyed = scripted([fault('FLAKY', 500), ok], {
      headers: new Headers({ 'Idempotency-Key': 'k-1' }),
    });
    await expect(engine.execute(keyed.request)).resolves.toBe(ok);
    const declared = scripted([fault('FLAKY', 500), ok], { idempotent: true });
    await expect(engine.execute(declared.request)).resolves.toBe(ok);
    const denied = scripted([fault('FLAKY', 500), ok], { method: 'GET', idempotent: false });
    expect(await rejection(engine.execute(denied.request))).toMatchObject({
      giveUpReason: 'unsafe',
    });
  });

  test('network errors: refused is retried for a POST, a reset is not', async () => {
    const { engine } = setup();
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const a = scripted([new TypeError('fetch failed', { cause: refused }), ok]);
    await expect(engine.execute(a.request)).resolves.toBe(ok);
    const b = scripted([reset, ok]);
    const error = await rejection(engine.execute(b.request));
    expect(error).toMatchObject({
      vendor: 'acme',
      code: 'ECONNRESET',
      effect: 'unknown',
      giveUpReason: 'unsafe',
      status: undefined,
    });
    expect(error.cause).toBe(reset);
    expect(error.response).toBeUndefined();
  });

  test('Retry-After seconds and HTTP-date give exact waits', async () => {
    const { engine, clock } = setup();
    const date = new Date(clock.now() + 7000).toUTCString();
    const { request } = scripted([
      fault('X', 429, { 'retry-after': '3' }),
      fault('X', 429, { 'retry-after': date }),
      ok,
    ]);
    await expect(engine.execute(request)).resolves.toBe(ok);
    // The second date is 7 s after the start; 3 s have passed: 4 s remain.
    expect(clock.delays).toEqual([3000, 4000]);
  });

  test('a Retry-After beyond the deadline fails at once with the wait on the error', async () => {
    const { engine, clock, events } = setup({ retry: { maxElapsedMs: 10_000 } });
    const { request, sent } = scripted([fault('X', 503, { 'retry-after': '30' }), ok], {
      method: 'GET',
    });
    const error = await rejection(engine.execute(request));
    expect(error).toMatchObject({ giveUpReason: 'deadline', retryAfterMs: 30_000, attempts: 1 });
    expect(sent).toHaveLength(1);
    expect(clock.delays).toEqual([10_000]);
    expect(clock.pending).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: 'give-up', reason: 'deadline' });
  });

  test('a Retry-After over maxRetryAfterMs is not waited out', async () => {
    const { engine } = setup();
    const { request } = scripted([fault('X', 429, { 'retry-after': '120' }), ok]);
    expect(await rejection(engine.execute(request))).toMatchObject({
      giveUpReason: 'retry-after-too-long',
      retryAfterMs: 120_000,
    });
  });

  test('validation fails at once with fields; fatal fails at once', async () => {
    const { engine } = setup();
    const a = scripted([fault('BAD', 400), ok]);
    expect(await rejection(engine.execute(a.request))).toMatchObject({
      category: 'validation',
      attempts: 1,
      giveUpReason: 'not-retryable',
    });
    const b = scripted([fault('DEAD', 200), ok], { method: 'GET' });
    expect(await rejection(engine.execute(b.request))).toMatchObject({
      category: 'fatal',
      attempts: 1,
    });
    expect(a.sent).toHaveLength(1);
    expect(b.sent).toHaveLength(1);
  });

  test('per-request retry options layer over the engine options', async () => {
    const { engine } = setup({ retry: 5 });
    const { request, sent } = scripted([fault('BUSY')], { retry: 1 });
    expect(await rejection(engine.execute(request))).toMatchObject({ attempts: 2 });
    expect(sent).toHaveLength(2);
    const none = scripted([fault('BUSY')], { retry: false });
    expect(await rejection(engine.execute(none.request))).toMatchObject({
      attempts: 1,
      giveUpReason: 'exhausted',
    });
  });

  test('overrides re-classify a code for this engine', async () => {
    const { engine } = setup({ overrides: { BUSY: 'fatal' } });
    const { request } = scripted([fault('BUSY'), ok]);
    expect(await rejection(engine.execute(request))).toMatchObject({
      category: 'fatal',
      attempts: 1,
    });
  });

  test('a body that cannot be replayed is never retried, and the error says why', async () => {
    const { engine } = setup();
    const { request } = scripted([fault('BUSY'), ok], {
      replayable: 'the body is a ReadableStream',
    });
    const error = await rejection(engine.execute(request));
    expect(error.giveUpReason).toBe('not-replayable');
    expect(error.message).toContain('not-replayable');
  });
});

describe('engine: success and odd clients', () => {
  test('a success on the first attempt emits nothing and returns the response', async () => {
    const { engine, events } = setup();
    const { request } = scripted([ok]);
    await expect(engine.execute(request)).resolves.toBe(ok);
    expect(events).toEqual([]);
  });

  test('a client that throws on a response every profile finds fine: its own error', async () => {
    const { engine } = setup();
    const thrown = new Error('validateStatus said no');
    const request: EngineRequest<Res> = {
      method: 'GET',
      url: 'https://x.test/',
      send: async () => ({ error: thrown, input: { status: 302, body: '' } }),
    };
    await expect(engine.execute(request)).rejects.toBe(thrown);
  });

  test('a send that throws is treated as a failure without a response', async () => {
    const { engine } = setup();
    const request: EngineRequest<Res> = {
      method: 'GET',
      url: 'https://x.test/',
      send: () => Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' })),
      retry: 0,
    };
    expect(await rejection(engine.execute(request))).toMatchObject({
      code: 'ECONNRESET',
      giveUpReason: 'exhausted',
    });
  });

  test('a listener that throws does not break the request', async () => {
    const { engine } = setup({
      onEvent: () => {
        throw new Error('telemetry down');
      },
    });
    const { request } = scripted([fault('BUSY'), ok]);
    await expect(engine.execute(request)).resolves.toBe(ok);
  });

  test('events carry the redacted request and no credential', async () => {
    const { engine, events } = setup({ retry: 1 });
    const perRequest: TriageEvent[] = [];
    const { request } = scripted([fault('BUSY'), fault('BAD')], {
      onEvent: (e) => perRequest.push(e),
    });
    await rejection(engine.execute(request));
    expect(perRequest).toEqual(events);
    expect(events.map((e) => e.type)).toEqual(['classified', 'retry', 'classified', 'give-up']);
    for (const event of events) {
      expect(event.request).toEqual({
        method: 'POST',
        url: 'https://api.acme.test/v1/things?api_key=%5BREDACTED%5D',
      });
      expect(JSON.stringify(event)).not.toContain('SECRET');
    }
  });

  test('several profiles: vendor detection first, in order, then the first profile generic rules', async () => {
    const other = defineVendor({
      name: 'other',
      codes: { O: { category: 'validation', reason: 'o' } },
      detect: (v) => ((v.json() as { o?: string } | undefined)?.o ? { code: 'O' } : undefined),
    });
    const engine = createEngine({
      vendor: [acme, other],
      random: () => 0.5,
      clock: createManualClock({ autoAdvance: true }),
    });
    expect(engine.classify({ status: 400, body: '{"o":"x"}' })?.vendor).toBe('other');
    expect(engine.classify({ status: 400, body: '{"fault":"BAD"}' })?.vendor).toBe('acme');
    expect(engine.classify({ status: 502, body: '' })?.vendor).toBe('acme');
    expect(engine.classify({ status: 200, body: '' })).toBeUndefined();
    expect(() => createEngine({ vendor: [] })).toThrow(TypeError);
  });

  test('the generic http profile alone', async () => {
    const engine = createEngine({
      vendor: http,
      random: () => 0,
      clock: createManualClock({ autoAdvance: true }),
    });
    const { request, sent } = scripted([{ status: 503, body: '' }, ok], { method: 'GET' });
    await expect(engine.execute(request)).resolves.toBe(ok);
    expect(sent).toHaveLength(2);
  });
});

describe('engine: the success path does no more than it must', () => {
  test('without auth, headers given as a function are made only when a failure needs them', async () => {
    const { engine } = setup();
    const make = vi.fn(() => new Headers({ authorization: 'Bearer SECRET-TOKEN' }));
    const first = scripted([ok], { headers: make });
    await expect(engine.execute(first.request)).resolves.toBe(ok);
    expect(make).not.toHaveBeenCalled();
    // A failure reads them: the Idempotency-Key check, and the credential scrub.
    const echo = {
      status: 400,
      body: JSON.stringify({ fault: 'BAD' }),
      headers: {},
    };
    const second = scripted([echo], { headers: make });
    await rejection(engine.execute(second.request));
    expect(make).toHaveBeenCalledTimes(1);
    expect(second.sent[0]!.headers.get('authorization')).toBe('Bearer SECRET-TOKEN');
  });

  test('`changed` tells the adapter whether auth.apply saw the attempt', async () => {
    const contexts: AttemptContext[] = [];
    const send = async (_: AttemptRequest, context: AttemptContext) => {
      contexts.push(context);
      return { response: ok, input: { status: 200, body: ok.body } };
    };
    const plain = setup().engine;
    await plain.execute({ method: 'GET', url: 'https://x.test/', send });
    const withAuth = setup({ auth: { refresh: async () => {}, apply: () => {} } }).engine;
    await withAuth.execute({ method: 'GET', url: 'https://x.test/', send });
    expect(contexts.map((c) => c.changed)).toEqual([false, true]);
  });

  test('without auth.apply every attempt is the request itself: its URL and headers', async () => {
    const { engine } = setup();
    const url = new URL('https://api.acme.test/v1/things');
    const headers = new Headers({ 'x-a': '1' });
    const { request, sent } = scripted([fault('BUSY'), ok], { url, headers });
    await engine.execute(request);
    expect(sent.map((r) => [r.url, r.headers])).toEqual([
      [url, headers],
      [url, headers],
    ]);
    expect(sent[0]!.url).toBe(url);
    expect(sent[1]!.headers).toBe(headers);
  });

  test('one profile classifies each response once', async () => {
    const classify = vi.fn(acme.classify);
    const { engine } = setup({ vendor: { ...acme, classify } });
    await engine.execute(scripted([fault('BUSY'), ok]).request);
    expect(classify).toHaveBeenCalledTimes(2);
  });
});

describe('engine: auth', () => {
  test('apply runs before every attempt on a fresh copy of the request', async () => {
    let token = 'old';
    const apply = vi.fn((req: AttemptRequest) => {
      expect(req.headers.get('authorization')).toBeNull();
      req.headers.set('authorization', `Bearer ${token}`);
      req.url.searchParams.set('sig', token);
    });
    const refresh = vi.fn(async () => {
      token = 'new';
    });
    const { engine, events } = setup({ auth: { refresh, apply } });
    const { request, sent } = scripted([fault('EXPIRED', 401), ok], { body: '{"a":1}' });
    await expect(engine.execute(request)).resolves.toBe(ok);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(apply).toHaveBeenCalledTimes(2);
    expect(sent.map((r) => r.headers.get('authorization'))).toEqual(['Bearer old', 'Bearer new']);
    expect(sent.map((r) => r.url.searchParams.get('sig'))).toEqual(['old', 'new']);
    expect(sent[1]?.body).toBe('{"a":1}');
    expect(events.map((e) => e.type)).toEqual(['classified', 'auth-refresh', 'recovered']);
    expect(events[1]).toMatchObject({ outcome: 'refreshed' });
  });

  test('ten concurrent refreshable failures: one refresh, ten successes', async () => {
    let token = 0;
    let refreshes = 0;
    const clock = createManualClock({ autoAdvance: true });
    const events: TriageEvent[] = [];
    const engine = createEngine({
      vendor: acme,
      clock,
      onEvent: (e) => events.push(e),
      auth: {
        async refresh() {
          refreshes++;
          await new Promise((resolve) => setTimeout(resolve, 5));
          token++;
        },
        apply: (req) => req.headers.set('x-token', String(token)),
      },
    });
    const request = (): EngineRequest<Res> => ({
      method: 'POST',
      url: 'https://x.test/',
      send: async (req) => {
        await new Promise((resolve) => setImmediate(resolve));
        const res = req.headers.get('x-token') === '0' ? fault('EXPIRED', 401) : ok;
        return { response: res, input: { status: res.status, body: res.body } };
      },
    });
    const results = await Promise.all(Array.from({ length: 10 }, () => engine.execute(request())));
    expect(results).toEqual(Array(10).fill(ok));
    expect(refreshes).toBe(1);
    const outcomes = events
      .filter((e) => e.type === 'auth-refresh')
      .map((e) => (e as { outcome: string }).outcome);
    expect(outcomes.filter((o) => o === 'refreshed')).toHaveLength(1);
    expect(outcomes).toHaveLength(10);
  });

  test('a failure from before the last refresh reuses the new credentials', async () => {
    let token = 0;
    const refresh = vi.fn(async () => {
      token++;
    });
    const engine = createEngine({
      vendor: acme,
      auth: { refresh, apply: (r) => r.headers.set('t', String(token)) },
    });
    // Both requests send with token 0; the first refreshes; the second finds token 1 already there.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const make = (wait: boolean): EngineRequest<Res> => ({
      method: 'GET',
      url: 'https://x.test/',
      send: async (req) => {
        if (wait && req.headers.get('t') === '0') await gate;
        const res = req.headers.get('t') === '0' ? fault('EXPIRED', 401) : ok;
        return { response: res, input: { status: res.status, body: res.body } };
      },
    });
    const slow = engine.execute(make(true));
    await engine.execute(make(false));
    release();
    await expect(slow).resolves.toBe(ok);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  test('refreshed credentials refused again: auth-exhausted, one refresh only', async () => {
    const refresh = vi.fn(async () => {});
    const { engine } = setup({ auth: { refresh } });
    const { request, sent } = scripted([fault('EXPIRED', 401)]);
    expect(await rejection(engine.execute(request))).toMatchObject({
      category: 'auth',
      attempts: 2,
      giveUpReason: 'auth-exhausted',
    });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sent).toHaveLength(2);
  });

  test('denied, or no refresh configured: fail at once', async () => {
    const refresh = vi.fn(async () => {});
    const { engine } = setup({ auth: { refresh } });
    expect(await rejection(engine.execute(scripted([fault('DENIED', 403)]).request))).toMatchObject(
      { refreshable: false, giveUpReason: 'auth-denied' },
    );
    expect(refresh).not.toHaveBeenCalled();
    const bare = setup();
    expect(
      await rejection(bare.engine.execute(scripted([fault('EXPIRED', 401)]).request)),
    ).toMatchObject({ refreshable: true, giveUpReason: 'auth-denied' });
  });

  test('a refresh that throws fails every waiting request with the auth error, and the next one tries again', async () => {
    let fail = true;
    const refresh = vi.fn(async () => {
      if (fail) throw new Error('login server down');
    });
    const { engine, events } = setup({ auth: { refresh } });
    const error = await rejection(engine.execute(scripted([fault('EXPIRED', 401), ok]).request));
    expect(error).toMatchObject({ giveUpReason: 'auth-refresh-failed', category: 'auth' });
    expect(events.filter((e) => e.type === 'auth-refresh')).toMatchObject([{ outcome: 'failed' }]);
    fail = false;
    await expect(engine.execute(scripted([fault('EXPIRED', 401), ok]).request)).resolves.toBe(ok);
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  test('attempts never exceed retries + 1 plus one auth retry', async () => {
    const { engine } = setup({ retry: 2, auth: { refresh: async () => {} } });
    const { request, sent } = scripted([
      fault('BUSY'),
      fault('EXPIRED', 401),
      fault('BUSY'),
      fault('BUSY'),
      ok,
    ]);
    expect(await rejection(engine.execute(request))).toMatchObject({
      attempts: 4,
      giveUpReason: 'exhausted',
    });
    expect(sent).toHaveLength(4);
  });
});

describe('engine: abort, deadline, attempt timeout', () => {
  test('abort during a backoff wait rejects at once with the abort reason', async () => {
    const clock = createManualClock();
    const controller = new AbortController();
    const engine = createEngine({ vendor: acme, clock, random: () => 0.5 });
    const { request } = scripted([fault('BUSY'), ok], { signal: controller.signal });
    const pending = engine.execute(request);
    await vi.waitFor(() => expect(clock.pending).toBe(1));
    const reason = new Error('user cancelled');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(clock.pending).toBe(0);
  });

  test('an engine-wide signal aborts too, and an aborted signal stops before the first attempt', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already'));
    const { engine } = setup({ signal: controller.signal });
    const { request, sent } = scripted([ok]);
    await expect(engine.execute(request)).rejects.toThrow('already');
    expect(sent).toHaveLength(0);
  });

  test('abort during an attempt rejects with the reason even if the client ignores the signal', async () => {
    const controller = new AbortController();
    const { engine } = setup();
    const request: EngineRequest<Res> = {
      method: 'GET',
      url: 'https://x.test/',
      signal: controller.signal,
      send: () => new Promise(() => {}),
    };
    const pending = engine.execute(request);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  test('the total deadline ends a hanging attempt', async () => {
    const clock = createManualClock();
    const engine = createEngine({ vendor: acme, clock, retry: { maxElapsedMs: 5000 } });
    let seen: AbortSignal | undefined;
    const request: EngineRequest<Res> = {
      method: 'GET',
      url: 'https://x.test/',
      send: (_req, ctx) => {
        seen = ctx.signal;
        return new Promise(() => {});
      },
    };
    const pending = rejection(engine.execute(request));
    await clock.advance(5000);
    const error = await pending;
    expect(error).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      category: 'retryable',
      giveUpReason: 'deadline',
      effect: 'unknown',
    });
    expect(seen?.aborted).toBe(true);
    expect(clock.pending).toBe(0);
  });

  test('a per-attempt timeout is a retryable failure of unknown effect', async () => {
    const clock = createManualClock();
    const engine = createEngine({
      vendor: acme,
      clock,
      random: () => 0.5,
      retry: { attemptTimeoutMs: 1000, retries: 1 },
    });
    let attempts = 0;
    const request: EngineRequest<Res> = {
      method: 'GET',
      url: 'https://x.test/',
      send: (_req, ctx) => {
        attempts++;
        if (attempts === 2)
          return Promise.resolve({ response: ok, input: { status: 200, body: ok.body } });
        return new Promise((_resolve, reject) =>
          ctx.signal?.addEventListener('abort', () => reject(ctx.signal?.reason)),
        );
      },
    };
    const pending = engine.execute(request);
    await clock.advance(1000);
    await clock.advance(100);
    await expect(pending).resolves.toBe(ok);
    expect(attempts).toBe(2);
    expect(clock.delays).toEqual([1000, 100, 1000]);
  });

  test('a POST that times out is not retried', async () => {
    const clock = createManualClock();
    const engine = createEngine({ vendor: acme, clock, retry: { attemptTimeoutMs: 1000 } });
    const request: EngineRequest<Res> = {
      method: 'POST',
      url: 'https://x.test/',
      send: () => new Promise(() => {}),
    };
    const pending = rejection(engine.execute(request));
    await clock.advance(1000);
    expect(await pending).toMatchObject({
      code: 'ATTEMPT_TIMEOUT',
      giveUpReason: 'unsafe',
      attempts: 1,
    });
  });
});

describe('engine: caller abort while a deadline is armed', () => {
  test('the abort reason wins over the deadline', async () => {
    const clock = createManualClock();
    const controller = new AbortController();
    const engine = createEngine({
      vendor: acme,
      clock,
      retry: { maxElapsedMs: 5000, attemptTimeoutMs: 1000 },
    });
    const request: EngineRequest<Res> = {
      method: 'GET',
      url: 'https://x.test/',
      signal: controller.signal,
      send: (_req, ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal?.addEventListener('abort', () => reject(new Error('client aborted'))),
        ),
    };
    const pending = engine.execute(request);
    const reason = new Error('caller stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(clock.pending).toBe(0);
  });
});
