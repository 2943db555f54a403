import { createManualClock } from '@triage/testing';
import { startVendorSimulator, type VendorSimulator } from '@triage/testing/node';
import { co3 } from '@triage/vendors/co3';
import { simplybook } from '@triage/vendors/simplybook';
import { afterEach, describe, expect, test } from 'vitest';
import {
  classify,
  co3Command,
  co3Session,
  FD_AUTH,
  FD_MESSAGES,
  fdJson,
  rpc,
  send,
  simplybookHeaders,
  simplybookToken,
  xmlPost,
} from './helpers.ts';

const running: VendorSimulator[] = [];
async function start(
  options: Parameters<typeof startVendorSimulator>[0],
): Promise<VendorSimulator> {
  const simulator = await startVendorSimulator(options);
  running.push(simulator);
  return simulator;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

const SMS = { To: '+61400000000', Text: 'hello' };

describe('concurrency limit per account', () => {
  test('32 parallel calls against 4 slots: exactly 4 served, 28 refused with CO3 code 8 at once', async () => {
    // The service time outlasts the arrival of all 32, so which ones win is the only freedom.
    const simulator = await start({ vendor: 'co3', concurrency: 4, serviceTimeMs: 300 });
    const session = await co3Session(simulator.url);
    const body = co3Command('setContact', session, '<contact_lastname>Doe</contact_lastname>');
    const results = await Promise.all(
      Array.from({ length: 32 }, () => send(`${simulator.url}/api/crm`, xmlPost(body))),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(28);
    const refused = results.find((r) => r.status === 429);
    expect(refused && classify(co3, refused)).toMatchObject({ code: '8', throttle: true });
    expect(simulator.counters).toMatchObject({
      requests: 33,
      accepted: 4,
      rejected: 28,
      throttled: 28,
      rejectedByCode: { '8': 28 },
      credentialsIssued: 1,
      sideEffects: 4,
      concurrency: 0,
      peakConcurrency: 4,
    });
  });

  test('each account has its own slots', async () => {
    const simulator = await start({
      vendor: 'fonedynamics',
      concurrency: 2,
      serviceTimeMs: 300,
      accounts: [
        { accountSid: 'ACa', token: 'a' },
        { accountSid: 'ACb', token: 'b' },
      ],
    });
    const sms = (sid: string, token: string) =>
      send(
        `${simulator.url}${FD_MESSAGES}`,
        fdJson(SMS, { authorization: `Basic ${btoa(`${sid}:${token}`)}` }),
      );
    const results = await Promise.all([
      sms('ACa', 'a'),
      sms('ACa', 'a'),
      sms('ACa', 'a'),
      sms('ACb', 'b'),
      sms('ACb', 'b'),
      sms('ACb', 'b'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 429, 429]);
    expect(simulator.counters).toMatchObject({
      accepted: 4,
      throttled: 2,
      rejectedByCode: { 'HTTP 429': 2 },
      peakConcurrency: 4,
    });
  });

  test('the benchmark shape: 4 slots, 20 ms service, 400 POSTs from 32 workers', async () => {
    const simulator = await start({ vendor: 'co3', concurrency: 4, serviceTimeMs: 20 });
    const session = await co3Session(simulator.url);
    const body = co3Command('setContact', session, '<contact_lastname>Doe</contact_lastname>');
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < 400) {
        next += 1;
        await send(`${simulator.url}/api/crm`, xmlPost(body));
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const { counters } = simulator;
    expect(counters.peakConcurrency).toBe(4);
    expect(counters.accepted + counters.rejected).toBe(400);
    expect(counters.rejected).toBe(counters.throttled);
    expect(counters.rejectedByCode['8']).toBe(counters.throttled);
    expect(counters.sideEffects).toBe(counters.accepted);
    expect(counters.concurrency).toBe(0);
  });
});

describe('rate limit per account', () => {
  test('a sliding window of N per second on the injected clock', async () => {
    const clock = createManualClock();
    const simulator = await start({ vendor: 'simplybook', rate: 3, clock });
    const token = await simplybookToken(simulator.url);
    const call = () =>
      send(`${simulator.url}/`, rpc('getEventList', [], simplybookHeaders(token))).then(
        (r) => r.status,
      );
    expect(await call()).toBe(200); // t=0
    await clock.advance(400);
    expect(await call()).toBe(200); // t=400
    await clock.advance(400);
    expect(await call()).toBe(200); // t=800
    await clock.advance(199);
    expect(await call()).toBe(429); // t=999: three in (-1, 999]
    await clock.advance(1);
    expect(await call()).toBe(200); // t=1000: the one at 0 has left
    await clock.advance(100);
    expect(await call()).toBe(429); // t=1100: 400, 800, 1000 are in
    await clock.advance(300);
    expect(await call()).toBe(200); // t=1400
    expect(simulator.counters).toMatchObject({
      accepted: 5,
      throttled: 2,
      rejectedByCode: { 'HTTP 429': 2 },
    });
    // Throttling is SimplyBook's undocumented generic answer, classified by its status.
    const refused = await send(
      `${simulator.url}/`,
      rpc('getEventList', [], simplybookHeaders(token)),
    );
    expect(classify(simplybook, refused)).toMatchObject({
      category: 'retryable',
      throttle: true,
      status: 429,
    });
  });

  test('100 requests per second per account: exactly 100 accepted per account in a second', async () => {
    const clock = createManualClock({ start: 1_000_000 });
    const simulator = await start({
      vendor: 'co3',
      rate: { requests: 100, perMs: 1000 },
      clock,
      accounts: [
        { apiKey: 'k1', username: 'u', passwordMd5: 'p' },
        { apiKey: 'k2', username: 'u', passwordMd5: 'p' },
      ],
    });
    const sessions: Record<string, string> = {};
    for (const apiKey of ['k1', 'k2']) {
      const res = await send(
        `${simulator.url}/api/authenticate`,
        xmlPost(
          `<command><authenticate><api_key>${apiKey}</api_key><username>u</username><password>p</password></authenticate></command>`,
        ),
      );
      sessions[apiKey] = /CDATA\[(.*?)\]\]/.exec(res.body)?.[1] ?? '';
    }
    const call = (apiKey: string) =>
      send(
        `${simulator.url}/api/crm`,
        xmlPost(
          `<command><getContacts><api_key>${apiKey}</api_key><session_key>${sessions[apiKey]}</session_key></getContacts></command>`,
        ),
      );
    const burst = await Promise.all([
      ...Array.from({ length: 130 }, () => call('k1')),
      ...Array.from({ length: 100 }, () => call('k2')),
    ]);
    expect(burst.filter((r) => r.status === 200)).toHaveLength(200);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(30);
    expect(simulator.counters.rejectedByCode).toEqual({ '8': 30 });
    await clock.advance(999);
    expect((await call('k1')).status).toBe(429);
    await clock.advance(1);
    expect((await call('k1')).status).toBe(200);
  });
});

describe('scripted mode', () => {
  test('answers the script in order, then serves normally', async () => {
    const simulator = await start({
      vendor: 'fonedynamics',
      script: [
        'PARAMETER_INVALID',
        { status: 503, body: 'down', headers: { 'content-type': 'text/plain' } },
        { fault: 'reset' },
        { fault: 'html' },
        { code: 'FORBIDDEN', delayMs: 30 },
      ],
    });
    expect(simulator.queued()).toBe(5);
    const url = `${simulator.url}${FD_MESSAGES}`;
    expect((await send(url, fdJson(SMS))).status).toBe(400);
    const raw = await send(url, fdJson(SMS));
    expect([raw.status, raw.body, raw.headers.get('content-type')]).toEqual([
      503,
      'down',
      'text/plain',
    ]);
    await expect(send(url, fdJson(SMS))).rejects.toThrow(TypeError);
    const html = await send(url, fdJson(SMS));
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(html.body).toContain('<title>502 Bad Gateway</title>');
    const started = performance.now();
    expect((await send(url, fdJson(SMS))).status).toBe(403);
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    expect((await send(url, fdJson(SMS))).status).toBe(200);
    expect(simulator.queued()).toBe(0);
    expect(simulator.counters).toMatchObject({
      requests: 6,
      accepted: 1,
      rejected: 4,
      rejectedByCode: { PARAMETER_INVALID: 1, 'HTTP 503': 1, 'HTTP 502': 1, FORBIDDEN: 1 },
      faults: { reset: 1, html: 1 },
      sideEffects: 1,
    });
  });

  test('failNext and enqueue add to the queue; auth answers have a queue of their own', async () => {
    const simulator = await start({ vendor: 'simplybook', script: [{ code: -32603 }] });
    simulator.failNext({ code: '-33002', on: 'auth' });
    simulator.failNext(-32099, 2);
    simulator.enqueue({ delayMs: 1 }, -32055);
    expect([simulator.queued('api'), simulator.queued('auth')]).toEqual([5, 1]);
    const login = await send(
      `${simulator.url}/login`,
      rpc('getToken', ['demo-company', 'demo-api-key']),
    );
    expect(JSON.parse(login.body)).toMatchObject({
      error: { code: -33002, message: 'Wrong API key' },
    });
    const token = await simplybookToken(simulator.url);
    const codes: unknown[] = [];
    for (let i = 0; i < 6; i += 1) {
      const res = await send(`${simulator.url}/`, rpc('getUnitList', [], simplybookHeaders(token)));
      const body = JSON.parse(res.body) as { error?: { code: number } };
      codes.push(body.error?.code ?? 'ok');
    }
    expect(codes).toEqual([-32603, -32099, -32099, 'ok', -32055, 'ok']);
    expect(simulator.counters.rejectedByCode).toEqual({
      '-33002': 1,
      '-32603': 1,
      '-32099': 2,
      '-32055': 1,
    });
    expect(simulator.counters.credentialsIssued).toBe(1);
  });

  test('malformed scripted answers are refused when given', async () => {
    const simulator = await start({ vendor: 'co3' });
    expect(() => simulator.failNext({ status: 42 })).toThrow(TypeError);
    expect(() => simulator.failNext({ fault: 'boom' as 'reset' })).toThrow(TypeError);
    expect(() => simulator.failNext({ delayMs: -1 })).toThrow(TypeError);
    expect(() => simulator.failNext({ on: 'login' as 'auth', code: 1 })).toThrow(TypeError);
    expect(() => simulator.failNext(8, 1.5)).toThrow(TypeError);
    expect(() => simulator.failNext({} as { delayMs: number })).toThrow(TypeError);
    await expect(startVendorSimulator({ vendor: 'co3', concurrency: 0 })).rejects.toThrow(
      TypeError,
    );
    await expect(
      startVendorSimulator({ vendor: 'co3', rate: { requests: 1, perMs: 0 } }),
    ).rejects.toThrow(TypeError);
    await expect(
      startVendorSimulator({ vendor: 'nope' } as unknown as Parameters<
        typeof startVendorSimulator
      >[0]),
    ).rejects.toThrow(TypeError);
    expect(simulator.queued()).toBe(0);
    const convio = await start({ vendor: 'convio' });
    expect(() => convio.failNext({ code: 2, on: 'auth' })).toThrow(TypeError);
  });
});

describe('faults', () => {
  test('reset: no answer and no effect; reset-after: no answer, but the write happened', async () => {
    const simulator = await start({ vendor: 'fonedynamics' });
    simulator.enqueue({ fault: 'reset' }, { fault: 'reset-after' });
    const url = `${simulator.url}${FD_MESSAGES}`;
    await expect(fetch(url, fdJson(SMS, { 'idempotency-key': 'a' }))).rejects.toThrow(TypeError);
    expect(simulator.counters).toMatchObject({ sideEffects: 0, accepted: 0, faults: { reset: 1 } });
    await expect(fetch(url, fdJson(SMS, { 'idempotency-key': 'b' }))).rejects.toThrow(TypeError);
    expect(simulator.counters).toMatchObject({
      sideEffects: 1,
      accepted: 1,
      sideEffectsByKey: { b: 1 },
      faults: { reset: 1, 'reset-after': 1 },
    });
  });

  test('mid-body: headers and half the body, then a reset while reading', async () => {
    const simulator = await start({ vendor: 'fonedynamics' });
    simulator.failNext({ fault: 'mid-body' });
    const res = await fetch(`${simulator.url}${FD_MESSAGES}`, fdJson(SMS));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    await expect(res.text()).rejects.toThrow(TypeError);
    expect(simulator.counters).toMatchObject({ sideEffects: 1, faults: { 'mid-body': 1 } });
  });

  test('truncated and empty: complete answers with a broken body, after the vendor acted', async () => {
    const simulator = await start({ vendor: 'co3' });
    const session = await co3Session(simulator.url);
    simulator.enqueue({ fault: 'truncated' }, { fault: 'empty' });
    const body = co3Command('setContact', session, '<contact_firm>ACME</contact_firm>');
    const truncated = await send(`${simulator.url}/api/crm`, xmlPost(body));
    expect(truncated.status).toBe(200);
    const whole =
      '<?xml version="1.0" encoding="utf-8"?>\n<response><result>OK</result><contact_id>101</contact_id></response>';
    expect(truncated.body).toBe(whole.slice(0, Math.floor(whole.length / 2)));
    const empty = await send(`${simulator.url}/api/crm`, xmlPost(body));
    expect([empty.status, empty.body, empty.headers.get('content-type')]).toEqual([
      200,
      '',
      'text/xml; charset=utf-8',
    ]);
    expect(simulator.counters).toMatchObject({
      accepted: 2,
      sideEffects: 2,
      faults: { truncated: 1, empty: 1 },
    });
  });

  test('html: a proxy error page with the given status', async () => {
    const simulator = await start({ vendor: 'simplybook' });
    simulator.failNext({ fault: 'html', status: 504 });
    const res = await send(`${simulator.url}/`, rpc('book', []));
    expect(res.status).toBe(504);
    expect(res.body).toContain('<center><h1>504 Gateway Time-out</h1></center>');
    expect(classify(simplybook, res)).toMatchObject({ category: 'retryable', status: 504 });
  });

  test('hang: never answered; the client gives up, and nothing was served', async () => {
    const simulator = await start({ vendor: 'voipnow' });
    simulator.failNext({ fault: 'hang' });
    await expect(
      fetch(`${simulator.url}/uapi/phoneCalls/@me/simple`, { signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    expect(simulator.counters).toMatchObject({
      requests: 1,
      accepted: 0,
      rejected: 0,
      faults: { hang: 1 },
    });
  });

  test('close() ends hangs and service in progress at once, and clears every timer', async () => {
    const simulator = await startVendorSimulator({ vendor: 'voipnow', serviceTimeMs: 60_000 });
    simulator.failNext({ fault: 'hang' });
    const outcome = (url: string) =>
      fetch(url).then(
        () => 'answered',
        (error: unknown) => (error instanceof TypeError ? 'network error' : error),
      );
    const hung = outcome(`${simulator.url}/uapi/phoneCalls/@me/simple`);
    const serving = outcome(`${simulator.url}/uapi/phoneCalls/@me/simple`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(simulator.counters.concurrency).toBe(1);
    const started = performance.now();
    await simulator.close();
    expect(await hung).toBe('network error');
    expect(await serving).toBe('network error');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(simulator.counters).toMatchObject({ accepted: 0, concurrency: 0 });
    await simulator.close(); // twice is fine
  });
});

describe('counters', () => {
  test('side effects in total and per Idempotency-Key; reads and refusals are not effects', async () => {
    const simulator = await start({ vendor: 'fonedynamics' });
    const url = `${simulator.url}${FD_MESSAGES}`;
    for (const key of ['k1', 'k1', 'k2', '__proto__']) {
      expect((await send(url, fdJson(SMS, { 'Idempotency-Key': key }))).status).toBe(200);
    }
    expect((await send(url, fdJson(SMS))).status).toBe(200);
    expect(
      (await send(url, fdJson({ To: 'nope', Text: 'x' }, { 'Idempotency-Key': 'k3' }))).status,
    ).toBe(400);
    const sent = JSON.parse((await send(url, fdJson(SMS))).body) as {
      Message: { MessageSid: string };
    };
    const read = await send(`${url}/${sent.Message.MessageSid}`, {
      headers: { authorization: FD_AUTH },
    });
    expect(read.status).toBe(200);
    expect(simulator.counters.sideEffects).toBe(6);
    expect({ ...simulator.counters.sideEffectsByKey }).toEqual({ k1: 2, k2: 1, ['__proto__']: 1 });
    expect(simulator.counters).toMatchObject({ requests: 8, accepted: 7, rejected: 1 });
  });

  test('service time holds a slot; resetCounters zeroes in place', async () => {
    const simulator = await start({ vendor: 'fonedynamics', serviceTimeMs: 50 });
    const { counters } = simulator;
    const started = performance.now();
    const pending = send(`${simulator.url}${FD_MESSAGES}`, fdJson(SMS));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(counters.concurrency).toBe(1);
    expect((await pending).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(49);
    expect(counters).toMatchObject({ concurrency: 0, peakConcurrency: 1, accepted: 1 });
    simulator.resetCounters();
    expect(simulator.counters).toBe(counters);
    expect(counters).toEqual({
      requests: 0,
      accepted: 0,
      rejected: 0,
      rejectedByCode: {},
      throttled: 0,
      faults: {},
      credentialsIssued: 0,
      sideEffects: 0,
      sideEffectsByKey: {},
      concurrency: 0,
      peakConcurrency: 0,
      busyMs: 0,
    });
  });

  test('busyMs adds up the slot time of every call on the simulator clock, from the last reset on', async () => {
    let now = 1_000;
    const simulator = await start({
      vendor: 'fonedynamics',
      concurrency: 2,
      serviceTimeMs: 40,
      clock: { now: () => now },
    });
    const { counters } = simulator;
    const until = async (done: () => boolean): Promise<void> => {
      while (!done()) await new Promise((resolve) => setTimeout(resolve, 2));
    };
    const sms = () => send(`${simulator.url}${FD_MESSAGES}`, fdJson(SMS));
    // Two calls at once, each holding its slot from 1000 to 1030 on the simulator's clock.
    const both = [sms(), sms()];
    await until(() => counters.concurrency === 2);
    now = 1_030;
    expect((await Promise.all(both)).map((r) => r.status)).toEqual([200, 200]);
    expect(counters.busyMs).toBe(60);
    // A refused call holds no slot.
    const refused = [sms(), sms(), sms()];
    await until(() => counters.throttled === 1);
    now = 1_050;
    expect((await Promise.all(refused)).map((r) => r.status).sort()).toEqual([200, 200, 429]);
    expect(counters.busyMs).toBe(100);
    // A call under way at a reset counts its time from the reset on.
    const last = sms();
    await until(() => counters.concurrency === 1);
    now = 1_070;
    simulator.resetCounters();
    now = 1_082;
    expect((await last).status).toBe(200);
    expect(counters.busyMs).toBe(12);
  });

  test('a path the vendor does not serve is a 404 page', async () => {
    const simulator = await start({ vendor: 'co3' });
    const res = await send(`${simulator.url}/nowhere`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(simulator.counters.rejectedByCode).toEqual({ 'HTTP 404': 1 });
  });
});
