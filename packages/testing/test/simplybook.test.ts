import { isVendorError } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { createManualClock, DEMO_ACCOUNTS, type SimplybookSimulatorOptions } from '@triage/testing';
import { startVendorSimulator, type VendorSimulator } from '@triage/testing/node';
import { simplybook, simplybookAuth } from '@triage/vendors/simplybook';
import { afterEach, describe, expect, test } from 'vitest';
import { classify, rpc, send, simplybookHeaders, simplybookToken } from './helpers.ts';

let simulator: VendorSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(
  options: Omit<SimplybookSimulatorOptions, 'vendor'> = {},
): Promise<VendorSimulator> {
  simulator = await startVendorSimulator({ vendor: 'simplybook', ...options });
  return simulator;
}

const CLIENT = { name: 'Ann Lee', email: 'ann@example.com', phone: '+36 1 234 5678' };

function rpcBody(received: { body: string }): {
  result?: unknown;
  error?: { code: number; message: string };
  id?: unknown;
} {
  return JSON.parse(received.body) as {
    result?: unknown;
    error?: { code: number; message: string };
  };
}

describe('login API', () => {
  test('getToken returns a token for the company and its API key', async () => {
    const sim = await start();
    const res = await send(
      `${sim.url}/login`,
      rpc('getToken', ['demo-company', 'demo-api-key'], {}, 'a1'),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ result: 'sb-token-00000001', id: 'a1', jsonrpc: '2.0' });
    expect(sim.counters).toMatchObject({
      requests: 1,
      credentialsIssued: 1,
      accepted: 0,
      rejected: 0,
    });
  });

  test.each([
    [['nobody', 'demo-api-key'], -33001, 'Company does not exist'],
    [['demo-company', 'wrong'], -33002, 'Wrong API key'],
    ['not-an-array', -32011, 'Params is not array'],
    [['demo-company'], -32010, 'Some required params are missed'],
  ])('getToken(%j) fails with %i', async (params, code, message) => {
    const sim = await start();
    const res = await send(`${sim.url}/login`, rpc('getToken', params));
    expect(res.status).toBe(200);
    expect(rpcBody(res)).toEqual({ error: { code, message }, id: 1, jsonrpc: '2.0' });
    expect(classify(simplybook, res)).toMatchObject({
      code,
      category: code === -33001 || code === -33002 ? 'auth' : 'validation',
    });
  });

  test('other methods, broken JSON and non-POST requests', async () => {
    const sim = await start();
    expect(rpcBody(await send(`${sim.url}/login`, rpc('getUserToken', [])))).toMatchObject({
      error: { code: -32601, message: 'Method not found' },
    });
    const broken = await send(`${sim.url}/login`, { method: 'POST', body: '{"jsonrpc":' });
    expect(JSON.parse(broken.body)).toEqual({
      error: { code: -32700, message: 'Parse error' },
      id: null,
      jsonrpc: '2.0',
    });
    expect((await send(`${sim.url}/login`)).status).toBe(405);
    expect(rpcBody(await send(`${sim.url}/login`, { method: 'POST', body: '{"id":3}' }))).toEqual({
      error: { code: -32600, message: 'Invalid Request' },
      id: 3,
      jsonrpc: '2.0',
    });
  });
});

describe('public API', () => {
  test('needs a known X-Company-Login and a valid X-Token', async () => {
    const sim = await start();
    const token = await simplybookToken(sim.url);
    const noCompany = await send(`${sim.url}/`, rpc('getEventList', [], { 'X-Token': token }));
    expect(rpcBody(noCompany).error).toEqual({ code: -32600, message: 'Company does not exists' });
    expect(classify(simplybook, noCompany)).toMatchObject({ category: 'auth', refreshable: false });
    const noToken = await send(
      `${sim.url}/`,
      rpc('getEventList', [], { 'X-Company-Login': 'demo-company' }),
    );
    expect(rpcBody(noToken).error).toEqual({ code: -32600, message: 'Access denied' });
    expect(classify(simplybook, noToken)).toMatchObject({ category: 'auth', refreshable: true });
    const ok = await send(`${sim.url}/`, rpc('getEventList', [], simplybookHeaders(token)));
    expect(rpcBody(ok).result).toEqual({
      '1': { id: '1', name: 'Consultation', duration: '60', is_public: '1' },
      '2': { id: '2', name: 'Follow-up', duration: '30', is_public: '1' },
    });
    const units = await send(`${sim.url}/`, rpc('getUnitList', [], simplybookHeaders(token)));
    expect(rpcBody(units).result).toEqual({
      '1': { id: '1', name: 'Dr. Jane Doe' },
      '2': { id: '2', name: 'Dr. John Roe' },
    });
    expect(
      rpcBody(await send(`${sim.url}/`, rpc('nope', [], simplybookHeaders(token)))).error?.code,
    ).toBe(-32601);
    expect(sim.counters).toMatchObject({
      accepted: 2,
      rejected: 3,
      rejectedByCode: { '-32600': 2, '-32601': 1 },
    });
  });

  test('tokens expire after tokenLifetimeMs on the injected clock, and can be revoked', async () => {
    const clock = createManualClock();
    const sim = await start({ clock, tokenLifetimeMs: 60_000 });
    const token = await simplybookToken(sim.url);
    const call = async () =>
      rpcBody(await send(`${sim.url}/`, rpc('getUnitList', [], simplybookHeaders(token))));
    await clock.advance(59_999);
    expect((await call()).result).toBeDefined();
    await clock.advance(1);
    expect((await call()).error).toEqual({ code: -32600, message: 'Access denied' });
    const fresh = await simplybookToken(sim.url);
    expect(
      rpcBody(await send(`${sim.url}/`, rpc('getUnitList', [], simplybookHeaders(fresh)))).result,
    ).toBeDefined();
    sim.revokeCredentials();
    expect(
      rpcBody(await send(`${sim.url}/`, rpc('getUnitList', [], simplybookHeaders(fresh)))).error
        ?.code,
    ).toBe(-32600);
  });

  test('a token of one company does not open another', async () => {
    const sim = await start({
      accounts: [
        { company: 'a', apiKey: 'ka' },
        { company: 'b', apiKey: 'kb' },
      ],
    });
    const tokenA = rpcBody(await send(`${sim.url}/login`, rpc('getToken', ['a', 'ka'])))
      .result as string;
    const res = await send(
      `${sim.url}/`,
      rpc('getUnitList', [], { 'X-Company-Login': 'b', 'X-Token': tokenA }),
    );
    expect(rpcBody(res).error).toEqual({ code: -32600, message: 'Access denied' });
  });
});

describe('book()', () => {
  test.each([
    [[1, 1, '2025-06-02', '10:00'], -32010],
    [[9, 1, '2025-06-02', '10:00', CLIENT], -32051],
    [[1, 9, '2025-06-02', '10:00', CLIENT], -32052],
    [[1, 1, '02/06/2025', '10:00', CLIENT], -32053],
    [[1, 1, '2025-13-45', '10:00', CLIENT], -32053],
    [[1, 1, '2025-06-02', '10am', CLIENT], -32054],
    [[1, 1, '2025-06-02', '10:00', 'Ann'], -32602],
    [[1, 1, '2025-06-02', '10:00', { ...CLIENT, name: ' ' }], -32061],
    [[1, 1, '2025-06-02', '10:00', { ...CLIENT, email: 'ann@' }], -32062],
    [[1, 1, '2025-06-02', '10:00', { ...CLIENT, phone: 'call me' }], -32063],
  ])('book(%j) is refused with %i, classified validation', async (params, code) => {
    const sim = await start();
    const token = await simplybookToken(sim.url);
    const res = await send(`${sim.url}/`, rpc('book', params, simplybookHeaders(token)));
    expect(rpcBody(res).error?.code).toBe(code);
    expect(classify(simplybook, res)).toMatchObject({
      code,
      category: 'validation',
      effect: 'none',
    });
    expect(sim.counters.sideEffects).toBe(0);
  });

  test('a booking is a side effect; the same slot again is "time start not available"', async () => {
    const sim = await start();
    const token = await simplybookToken(sim.url);
    const params = [1, 2, '2025-06-02', '10:00', CLIENT];
    const booked = await send(
      `${sim.url}/`,
      rpc('book', params, { ...simplybookHeaders(token), 'Idempotency-Key': 'b1' }),
    );
    expect(rpcBody(booked).result).toEqual({
      require_confirm: false,
      bookings: [
        {
          id: '1001',
          event_id: '1',
          unit_id: '2',
          client_id: '6001',
          start_date_time: '2025-06-02 10:00:00',
          end_date_time: '2025-06-02 11:00:00',
          is_confirmed: '1',
          code: 'rt',
        },
      ],
    });
    expect(classify(simplybook, booked)).toBeUndefined();
    const again = await send(
      `${sim.url}/`,
      rpc('book', params, { ...simplybookHeaders(token), 'Idempotency-Key': 'b1' }),
    );
    expect(rpcBody(again).error).toEqual({
      code: -32054,
      message: 'Selected time start is not available',
    });
    expect(sim.counters).toMatchObject({
      sideEffects: 1,
      sideEffectsByKey: { b1: 1 },
      accepted: 1,
    });
  });
});

test('end to end: simplybookAuth and createTriageFetch refresh an expired token once', async () => {
  const clock = createManualClock();
  const sim = await start({ clock, tokenLifetimeMs: 3_600_000 });
  const { company, apiKey } = DEMO_ACCOUNTS.simplybook;
  const triageFetch = createTriageFetch({
    vendor: simplybook,
    auth: simplybookAuth({ company, apiKey, loginUrl: `${sim.url}/login` }),
    clock: createManualClock({ autoAdvance: true }),
    random: () => 0,
  });
  const call = (method: string, params: unknown[]) =>
    triageFetch(`${sim.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
    });
  expect(await (await call('getUnitList', [])).json()).toMatchObject({
    result: { '1': { id: '1' } },
  });
  await clock.advance(3_600_000);
  expect(await (await call('getUnitList', [])).json()).toMatchObject({
    result: { '2': { id: '2' } },
  });
  expect(sim.counters).toMatchObject({
    credentialsIssued: 2,
    accepted: 2,
    rejectedByCode: { '-32600': 1 },
  });

  // A failed payment is never repeated.
  sim.failNext(-32099);
  const error = await call('book', [1, 1, '2025-06-03', '09:00', CLIENT]).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isVendorError(error) && [error.code, error.category, error.attempts]).toEqual([
    -32099,
    'fatal',
    1,
  ]);
});
