import { isVendorError } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { createManualClock, DEMO_ACCOUNTS, type VoipnowSimulatorOptions } from '@triage/testing';
import { startVendorSimulator, type VendorSimulator } from '@triage/testing/node';
import { voipnow, voipnowAuth } from '@triage/vendors/voipnow';
import { afterEach, describe, expect, test } from 'vitest';
import { basicAuth, classify, send, voipnowToken } from './helpers.ts';

let simulator: VendorSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(
  options: Omit<VoipnowSimulatorOptions, 'vendor'> = {},
): Promise<VendorSimulator> {
  simulator = await startVendorSimulator({ vendor: 'voipnow', ...options });
  return simulator;
}

const CALLS = '/uapi/phoneCalls/@me/simple';
const EVENTS = '/uapi/phoneCallEvents/@me/@self';
const form = (
  params: Record<string, string>,
  headers: Record<string, string> = {},
): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(params).toString(),
});
const bearer = (token: string, method = 'GET', body?: unknown): RequestInit => ({
  method,
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describe('/oauth/token.php', () => {
  test('client_credentials in the form, or in HTTP Basic', async () => {
    const sim = await start({ expiresIn: 120 });
    const { clientId, clientSecret } = DEMO_ACCOUNTS.voipnow;
    const res = await send(
      `${sim.url}/oauth/token.php`,
      form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(res.body)).toEqual({
      access_token: 'uapi-token-00000001',
      expires_in: 120,
      token_type: 'Bearer',
      scope: null,
    });
    const basic = await send(
      `${sim.url}/oauth/token.php`,
      form(
        { grant_type: 'client_credentials' },
        { authorization: basicAuth(clientId, clientSecret) },
      ),
    );
    expect(JSON.parse(basic.body)).toMatchObject({ access_token: 'uapi-token-00000002' });
    expect(sim.counters.credentialsIssued).toBe(2);
  });

  test('a bad secret is invalid_client (401); another grant is unsupported_grant_type (400)', async () => {
    const sim = await start();
    const bad = await send(
      `${sim.url}/oauth/token.php`,
      form({ grant_type: 'client_credentials', client_id: 'demo-client', client_secret: 'x' }),
    );
    expect([bad.status, JSON.parse(bad.body)]).toEqual([
      401,
      { error: 'invalid_client', error_description: 'Client authentication failed' },
    ]);
    const grant = await send(`${sim.url}/oauth/token.php`, form({ grant_type: 'password' }));
    expect([grant.status, JSON.parse(grant.body).error]).toEqual([400, 'unsupported_grant_type']);
    expect((await send(`${sim.url}/oauth/token.php`)).status).toBe(400);
    expect(sim.counters.rejectedByCode).toEqual({
      invalid_client: 1,
      unsupported_grant_type: 1,
      invalid_request: 1,
    });
  });
});

describe('bearer tokens', () => {
  test('expire after expires_in on the injected clock; unknown and missing ones are refused', async () => {
    const clock = createManualClock();
    const sim = await start({ clock, expiresIn: 60 });
    const token = await voipnowToken(sim.url);
    await clock.advance(59_999);
    expect((await send(`${sim.url}${CALLS}`, bearer(token))).status).toBe(200);
    await clock.advance(1);
    const expired = await send(`${sim.url}${CALLS}`, bearer(token));
    expect([expired.status, JSON.parse(expired.body)]).toEqual([
      401,
      { error: { code: 'expired_token', message: 'Token is expired or otherwise invalid.' } },
    ]);
    expect(expired.headers.get('www-authenticate')).toBe('Bearer realm="UnifiedAPI"');
    expect(classify(voipnow, expired, 'GET')).toMatchObject({
      category: 'auth',
      refreshable: true,
    });
    const unknown = await send(`${sim.url}${CALLS}`, bearer('forged'));
    expect(JSON.parse(unknown.body).error.code).toBe('access_denied');
    const missing = await send(`${sim.url}${CALLS}`);
    expect([missing.status, JSON.parse(missing.body).error.code]).toEqual([401, 'unauthorized']);
  });
});

describe('API', () => {
  test('phone calls: POST places one (a side effect), GET lists them', async () => {
    const sim = await start();
    const token = await voipnowToken(sim.url);
    const call = { phoneCallView: [{ source: ['0003*001'], destination: ['0040123456789'] }] };
    const placed = await send(`${sim.url}${CALLS}`, bearer(token, 'POST', call));
    expect([placed.status, JSON.parse(placed.body)]).toEqual([200, { id: '000001' }]);
    const list = await send(`${sim.url}${CALLS}?count=10&startIndex=0`, bearer(token));
    expect(JSON.parse(list.body)).toEqual({
      paging: { startIndex: 0, itemsPerPage: 1, totalResults: 1 },
      entry: [
        { id: '000001', phoneCallView: [{ source: ['0003*001'], destination: ['0040123456789'] }] },
      ],
    });
    expect(sim.counters).toMatchObject({ accepted: 2, sideEffects: 1 });
  });

  test.each([
    ['GET', `${CALLS}?count=ten`, undefined, 'count_invalid'],
    ['GET', `${CALLS}?startIndex=-1`, undefined, 'startindex_invalid'],
    ['POST', CALLS, { phoneCallView: [{ destination: ['1234'] }] }, 'pc_source_invalid'],
    [
      'POST',
      CALLS,
      { phoneCallView: [{ source: ['1234'], destination: ['x'] }] },
      'pc_destination_invalid',
    ],
    ['POST', EVENTS, { type: 'party', method: 'GET', url: 'https://x.test' }, 'pce_type_invalid'],
    [
      'POST',
      EVENTS,
      { type: 'hangup', method: 'PATCH', url: 'https://x.test' },
      'pce_method_invalid',
    ],
    ['POST', EVENTS, { type: 'hangup', method: 'GET', url: 'ftp://x' }, 'pce_url_invalid'],
    [
      'POST',
      EVENTS,
      { type: 'hangup', method: 'GET', url: 'https://x.test', note: 'n'.repeat(256) },
      'pce_note_invalid',
    ],
    [
      'POST',
      EVENTS,
      { type: 'hangup', method: 'GET', url: 'https://x.test', status: 3 },
      'pce_status_invalid',
    ],
    ['DELETE', `${EVENTS}/999`, undefined, 'pce_id_invalid'],
    ['GET', '/uapi/faxes/@me', undefined, 'not_implemented'],
  ])('%s %s is refused with %s at its page status', async (method, path, body, code) => {
    const sim = await start();
    const token = await voipnowToken(sim.url);
    const res = await send(`${sim.url}${path}`, bearer(token, method, body));
    const expected = code === 'not_implemented' ? 501 : 400;
    expect([res.status, JSON.parse(res.body).error.code]).toEqual([expected, code]);
    expect(classify(voipnow, res, method)).toMatchObject({ code, status: expected });
    expect(sim.counters.sideEffects).toBe(0);
  });

  test('phone call events: add, read, update, delete (204); each write a side effect', async () => {
    const sim = await start();
    const token = await voipnowToken(sim.url);
    const added = await send(
      `${sim.url}${EVENTS}`,
      bearer(token, 'POST', { type: 'hangup', method: 'POST', url: 'https://hooks.test/h' }),
    );
    const { id } = JSON.parse(added.body) as { id: number };
    const updated = await send(
      `${sim.url}${EVENTS}/${id}`,
      bearer(token, 'PUT', { note: 'after hours' }),
    );
    expect(JSON.parse(updated.body)).toEqual({
      id,
      type: 'hangup',
      method: 'POST',
      url: 'https://hooks.test/h',
      note: 'after hours',
      status: 1,
    });
    expect(JSON.parse((await send(`${sim.url}${EVENTS}`, bearer(token))).body).entry).toHaveLength(
      1,
    );
    const deleted = await send(`${sim.url}${EVENTS}/${id}`, bearer(token, 'DELETE'));
    expect([deleted.status, deleted.body]).toEqual([204, '']);
    expect((await send(`${sim.url}${EVENTS}/${id}`, bearer(token))).status).toBe(400);
    expect(sim.counters).toMatchObject({ sideEffects: 3, accepted: 4 });
  });
});

test('end to end: voipnowAuth and createTriageFetch refresh a revoked token; a failed POST is not repeated', async () => {
  const sim = await start();
  const { clientId, clientSecret } = DEMO_ACCOUNTS.voipnow;
  const triageFetch = createTriageFetch({
    vendor: voipnow,
    auth: voipnowAuth({ tokenUrl: `${sim.url}/oauth/token.php`, clientId, clientSecret }),
    clock: createManualClock({ autoAdvance: true }),
    random: () => 0,
  });
  expect((await triageFetch(`${sim.url}${CALLS}`)).status).toBe(200);
  sim.revokeCredentials();
  expect((await triageFetch(`${sim.url}${CALLS}`)).status).toBe(200);
  expect(sim.counters).toMatchObject({
    credentialsIssued: 2,
    rejectedByCode: { access_denied: 1 },
  });

  sim.failNext('internal_server_error');
  expect((await triageFetch(`${sim.url}${CALLS}`)).status).toBe(200); // a GET is retried

  sim.failNext('internal_server_error');
  const error = await triageFetch(`${sim.url}${CALLS}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phoneCallView: [{ source: ['0003*001'], destination: ['0040123'] }] }),
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isVendorError(error) && [error.code, error.attempts]).toEqual([
    'internal_server_error',
    1,
  ]);
  expect(sim.counters.sideEffects).toBe(0);
});
