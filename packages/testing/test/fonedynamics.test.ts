import { isVendorError } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import {
  createManualClock,
  DEMO_ACCOUNTS,
  type FonedynamicsSimulatorOptions,
} from '@triage/testing';
import { startVendorSimulator, type VendorSimulator } from '@triage/testing/node';
import { fonedynamics } from '@triage/vendors/fonedynamics';
import { afterEach, expect, test } from 'vitest';
import { basicAuth, classify, FD_AUTH, FD_MESSAGES, fdJson, send } from './helpers.ts';

let simulator: VendorSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(
  options: Omit<FonedynamicsSimulatorOptions, 'vendor'> = {},
): Promise<VendorSimulator> {
  simulator = await startVendorSimulator({ vendor: 'fonedynamics', ...options });
  return simulator;
}

test('an SMS is sent, read back, and counted as one side effect', async () => {
  const sim = await start();
  const sent = await send(
    `${sim.url}${FD_MESSAGES}`,
    fdJson({ To: '+61400000001', Text: 'Hi', From: 'ACME' }),
  );
  expect(sent.status).toBe(200);
  expect(sent.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const { Message } = JSON.parse(sent.body) as { Message: Record<string, unknown> };
  expect(Message).toEqual({
    MessageSid: `MS${'1'.padStart(32, '0')}`,
    AccountSid: DEMO_ACCOUNTS.fonedynamics.accountSid,
    PropertySid: DEMO_ACCOUNTS.fonedynamics.propertySid,
    From: 'ACME',
    To: '+61400000001',
    Text: 'Hi',
    NumSegments: 1,
    Status: 'QUEUED',
    Direction: 'OUTBOUND',
    Created: 0,
  });
  const read = await send(`${sim.url}${FD_MESSAGES}/${String(Message.MessageSid)}`, {
    headers: { authorization: FD_AUTH },
  });
  expect(JSON.parse(read.body)).toEqual({ Message });
  const account = await send(`${sim.url}/v2/Accounts/${DEMO_ACCOUNTS.fonedynamics.accountSid}`, {
    headers: { authorization: FD_AUTH },
  });
  expect(JSON.parse(account.body)).toMatchObject({
    Account: { AccountSid: DEMO_ACCOUNTS.fonedynamics.accountSid },
  });
  expect(sim.counters).toMatchObject({ accepted: 3, sideEffects: 1 });
});

test.each([
  [{ Text: 'x' }, 'PARAMETER_REQUIRED', 'To'],
  [{ To: '0400 000 000', Text: 'x' }, 'INVALID_PHONENUMBER_FORMAT', 'To'],
  [{ To: '+61400000001' }, 'PARAMETER_REQUIRED', 'Text'],
  [{ To: '+61400000001', Text: 'x'.repeat(1601) }, 'PARAMETER_TOO_LONG', 'Text'],
  [{ To: '+61400000001', Text: 'x', From: 'A very long sender id' }, 'PARAMETER_INVALID', 'From'],
])('%j is refused with %s naming %s', async (body, code, field) => {
  const sim = await start();
  const res = await send(`${sim.url}${FD_MESSAGES}`, fdJson(body));
  expect(res.status).toBe(400);
  const classification = classify(fonedynamics, res);
  expect(classification).toMatchObject({ code, category: 'validation', effect: 'none' });
  expect(classification?.fields.map((f) => f.name)).toEqual([field]);
  expect(sim.counters.sideEffects).toBe(0);
});

test('wrong credentials are a 401 (auth, not refreshable); unknown places are refused', async () => {
  const sim = await start();
  const wrong = await send(
    `${sim.url}${FD_MESSAGES}`,
    fdJson({}, { authorization: basicAuth('AC1', 'nope') }),
  );
  expect([wrong.status, JSON.parse(wrong.body)]).toEqual([
    401,
    {
      ResponseStatus: {
        ErrorCode: 'UNAUTHORIZED',
        Message: 'Wrong or missing credentials.',
        Errors: [],
      },
    },
  ]);
  expect(classify(fonedynamics, wrong)).toMatchObject({
    category: 'auth',
    refreshable: false,
    status: 401,
  });
  const missing = await send(`${sim.url}${FD_MESSAGES}`, { method: 'POST' });
  expect(missing.status).toBe(401);
  const property = await send(
    `${sim.url}/v2/Properties/PR9/Messages`,
    fdJson({ To: '+61400000001', Text: 'x' }),
  );
  expect(JSON.parse(property.body).ResponseStatus.ErrorCode).toBe('PROPERTY_NOT_FOUND');
  const account = await send(`${sim.url}/v2/Accounts/AC9`, { headers: { authorization: FD_AUTH } });
  expect(JSON.parse(account.body).ResponseStatus.ErrorCode).toBe('ACCOUNT_NOT_FOUND');
  const message = await send(`${sim.url}${FD_MESSAGES}/MS404`, {
    headers: { authorization: FD_AUTH },
  });
  expect(classify(fonedynamics, message, 'GET')?.fields).toMatchObject([{ name: 'MessageSid' }]);
  const route = await send(`${sim.url}/v2/Calls`, { headers: { authorization: FD_AUTH } });
  expect([route.status, JSON.parse(route.body).ResponseStatus.ErrorCode]).toEqual([
    404,
    'NotFound',
  ]);
  expect(sim.counters.rejectedByCode).toEqual({
    UNAUTHORIZED: 2,
    PROPERTY_NOT_FOUND: 1,
    ACCOUNT_NOT_FOUND: 1,
    PARAMETER_INVALID: 1,
    NotFound: 1,
  });
});

test('end to end: a 500 burst is retried for a GET, never for a POST', async () => {
  const sim = await start();
  const triageFetch = createTriageFetch({
    vendor: fonedynamics,
    clock: createManualClock({ autoAdvance: true }),
    random: () => 0,
  });
  const sent = await triageFetch(
    `${sim.url}${FD_MESSAGES}`,
    fdJson({ To: '+61400000001', Text: 'x' }),
  );
  const sid = ((await sent.json()) as { Message: { MessageSid: string } }).Message.MessageSid;

  sim.failNext(
    { status: 500, body: '{"ResponseStatus":{}}', headers: { 'content-type': 'application/json' } },
    2,
  );
  const read = await triageFetch(`${sim.url}${FD_MESSAGES}/${sid}`, {
    headers: { authorization: FD_AUTH },
  });
  expect(read.status).toBe(200);

  sim.failNext({ status: 500 });
  const error = await triageFetch(
    `${sim.url}${FD_MESSAGES}`,
    fdJson({ To: '+61400000001', Text: 'y' }),
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isVendorError(error) && [error.status, error.attempts]).toEqual([500, 1]);
  expect(sim.counters).toMatchObject({ sideEffects: 1, rejectedByCode: { 'HTTP 500': 3 } });
});
