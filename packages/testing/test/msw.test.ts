import { createManualClock, DEMO_ACCOUNTS } from '@triage/testing';
import { createVendorHandlers } from '@triage/testing/msw';
import { co3 } from '@triage/vendors/co3';
import { convio } from '@triage/vendors/convio';
import { voipnow } from '@triage/vendors/voipnow';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { CO3_AUTH_BODY, classify, co3Command, convioForm, send, xmlPost } from './helpers.ts';

// The same simulations as the servers, answered by msw 3 handlers through the global fetch.

const clock = createManualClock();
const co3Mock = createVendorHandlers({ vendor: 'co3', clock, concurrency: 1, serviceTimeMs: 50 });
const pbx = createVendorHandlers({
  vendor: 'voipnow',
  baseUrl: 'https://pbx.test/voipnow/',
  clock,
  expiresIn: 60,
});
const convioMock = createVendorHandlers({ vendor: 'convio' });
const server = setupServer(...co3Mock.handlers, ...pbx.handlers, ...convioMock.handlers);

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => {
  server.close();
  for (const mock of [co3Mock, pbx, convioMock]) mock.dispose();
});
beforeEach(() => {
  for (const mock of [co3Mock, pbx, convioMock]) mock.resetCounters();
});

async function co3Key(): Promise<string> {
  const res = await send('https://co3app.com/api/authenticate', xmlPost(CO3_AUTH_BODY));
  return /CDATA\[(.*?)\]\]/.exec(res.body)?.[1] ?? '';
}

async function pbxToken(): Promise<string> {
  const { clientId, clientSecret } = DEMO_ACCOUNTS.voipnow;
  const res = await send('https://pbx.test/voipnow/oauth/token.php', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`,
  });
  return (JSON.parse(res.body) as { access_token: string }).access_token;
}

test('defaults to the vendor production URL; serves the wire format', async () => {
  expect([co3Mock.baseUrl, pbx.baseUrl, convioMock.baseUrl]).toEqual([
    'https://co3app.com',
    'https://pbx.test/voipnow',
    'https://secure2.convio.net/demo',
  ]);
  const key = await co3Key();
  const res = await send(
    'https://co3app.com/api/crm',
    xmlPost(co3Command('setContact', key, '<contact_lastname>Doe</contact_lastname>')),
  );
  expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/xml; charset=utf-8']);
  expect(res.body).toContain('<result>OK</result>');
  const user = await send(
    'https://secure2.convio.net/demo/site/CRConsAPI',
    convioForm({ method: 'getUser', cons_id: '1', response_format: 'json' }),
  );
  expect([user.status, user.headers.get('content-type')]).toEqual([
    403,
    'text/plain;charset=UTF-8',
  ]);
  expect(classify(convio, user)).toMatchObject({ code: '16' });
  expect(co3Mock.counters).toMatchObject({
    requests: 2,
    credentialsIssued: 1,
    accepted: 1,
    sideEffects: 1,
  });
});

test('forced codes classify back through the profile', async () => {
  pbx.failNext('pce_fail_add');
  const token = await pbxToken();
  const res = await send('https://pbx.test/voipnow/uapi/phoneCallEvents/@me/@self', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: '{}',
  });
  expect(res.status).toBe(500);
  expect(classify(voipnow, res)).toMatchObject({ code: 'pce_fail_add', category: 'fatal' });
});

test('tokens expire on the injected clock', async () => {
  const token = await pbxToken();
  const list = () =>
    send('https://pbx.test/voipnow/uapi/phoneCalls/@me/simple', {
      headers: { authorization: `Bearer ${token}` },
    });
  expect((await list()).status).toBe(200);
  await clock.advance(60_000);
  const expired = await list();
  expect(JSON.parse(expired.body)).toMatchObject({ error: { code: 'expired_token' } });
});

test('the concurrency limit holds under parallel load', async () => {
  const key = await co3Key();
  const body = co3Command('getContacts', key);
  const results = await Promise.all(
    Array.from({ length: 5 }, () => send('https://co3app.com/api/crm', xmlPost(body))),
  );
  expect(results.map((r) => r.status).sort()).toEqual([200, 429, 429, 429, 429]);
  const refused = results.find((r) => r.status === 429);
  expect(refused && classify(co3, refused)).toMatchObject({ code: '8', throttle: true });
  expect(co3Mock.counters).toMatchObject({ accepted: 1, throttled: 4, peakConcurrency: 1 });
});

test('reset and reset-after are network errors; mid-body breaks the body; hang ends with the client', async () => {
  const key = await co3Key();
  const body = co3Command('setContact', key, '<contact_firm>ACME</contact_firm>');
  co3Mock.enqueue(
    { fault: 'reset' },
    { fault: 'reset-after' },
    { fault: 'mid-body' },
    { fault: 'hang' },
  );
  await expect(fetch('https://co3app.com/api/crm', xmlPost(body))).rejects.toThrow(TypeError);
  await expect(fetch('https://co3app.com/api/crm', xmlPost(body))).rejects.toThrow(TypeError);
  const broken = await fetch('https://co3app.com/api/crm', xmlPost(body));
  expect(broken.status).toBe(200);
  await expect(broken.text()).rejects.toThrow();
  await expect(
    fetch('https://co3app.com/api/crm', { ...xmlPost(body), signal: AbortSignal.timeout(30) }),
  ).rejects.toThrow();
  expect(co3Mock.counters).toMatchObject({
    sideEffects: 2,
    faults: { reset: 1, 'reset-after': 1, 'mid-body': 1, hang: 1 },
  });
});

test('a 204 has no body; a path the vendor does not serve is a 404 page', async () => {
  const token = await pbxToken();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const added = await send('https://pbx.test/voipnow/uapi/phoneCallEvents/@me/@self', {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'hangup', method: 'GET', url: 'https://hooks.test' }),
  });
  const { id } = JSON.parse(added.body) as { id: number };
  const deleted = await send(`https://pbx.test/voipnow/uapi/phoneCallEvents/@me/@self/${id}`, {
    method: 'DELETE',
    headers,
  });
  expect([deleted.status, deleted.body]).toEqual([204, '']);
  expect((await send('https://pbx.test/voipnow/elsewhere')).status).toBe(404);
});
