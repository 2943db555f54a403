import { isVendorError, type VendorError } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { createManualClock } from '@triage/testing';
import {
  type ScriptedResponse,
  type ScriptedServer,
  startScriptedServer,
} from '@triage/testing/node';
import { voipnow, voipnowAuth } from '@triage/vendors/voipnow';
import { afterEach, describe, expect, it } from 'vitest';

// End to end through the fetch adapter: what the engine does with UnifiedAPI's table. A POST
// places a phone call or sends a fax, so an outcome that is not known is never repeated for it.

const json = (status: number, value: unknown): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});
const failure = (status: number, code: string, message: string) =>
  json(status, { error: { code, message } });
const serverError = failure(500, 'internal_server_error', 'An internal server error occurred.');

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<VendorError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!isVendorError(error)) throw error;
  return error;
}

function client() {
  return createTriageFetch({
    vendor: voipnow,
    clock: createManualClock({ autoAdvance: true }),
    random: () => 0.5,
  });
}

const PHONE_CALLS = '/unifiedapi/phoneCalls/@me/0003*001';

describe('voipnow through the engine', () => {
  it('internal_server_error on a POST (a phone call) is sent once', async () => {
    server = await startScriptedServer({ script: [serverError] });
    const error = await rejection(
      client()(`${server.url}${PHONE_CALLS}`, { method: 'POST', body: '{"action":"Make"}' }),
    );
    expect(server.requests).toHaveLength(1);
    expect(error.giveUpReason).toBe('unsafe');
  });

  it('internal_server_error on a POST is not repeated even when the caller allows more retries', async () => {
    server = await startScriptedServer({ script: [serverError] });
    const error = await rejection(
      client()(`${server.url}${PHONE_CALLS}`, {
        method: 'POST',
        body: '{"action":"Make"}',
        triage: { retry: { retries: 5 } },
      }),
    );
    expect(server.requests).toHaveLength(1);
    expect(error.giveUpReason).toBe('unsafe');
  });

  it('internal_server_error on a GET is retried at most twice', async () => {
    server = await startScriptedServer({ script: [serverError, serverError, serverError] });
    const error = await rejection(client()(`${server.url}${PHONE_CALLS}`));
    expect(server.requests).toHaveLength(3);
    expect(error.giveUpReason).toBe('exhausted');
  });

  it('pce_fail_update on a PUT is retried; pce_fail_add on a POST is not', async () => {
    server = await startScriptedServer({
      script: [
        failure(500, 'pce_fail_update', 'Failed to update the event.'),
        json(200, { id: 'e1' }),
      ],
    });
    const updated = await client()(`${server.url}/unifiedapi/phoneCallEvents/@me/0003*001/e1`, {
      method: 'PUT',
      body: '{"note":"x"}',
    });
    expect(updated.status).toBe(200);
    expect(server.requests.map((r) => r.method)).toEqual(['PUT', 'PUT']);
    await server.close();

    server = await startScriptedServer({
      script: [failure(500, 'pce_fail_add', 'Failed to add the event.')],
    });
    const error = await rejection(
      client()(`${server.url}/unifiedapi/phoneCallEvents/@me/0003*001`, {
        method: 'POST',
        body: '{"type":1}',
        triage: { idempotent: true },
      }),
    );
    expect(server.requests).toHaveLength(1);
    expect(error.giveUpReason).toBe('not-retryable');
  });

  it('expired_token gets a new token and repeats the call; pce_access_denied stops', async () => {
    let issued = 0;
    server = await startScriptedServer({
      script: (request) => {
        if (request.url === '/oauth/token.php')
          return json(200, { access_token: `tok-${++issued}`, expires_in: 3600 });
        if (request.url.startsWith('/unifiedapi/phoneCallEvents'))
          return failure(403, 'pce_access_denied', 'You are not allowed to manage Call Events.');
        return request.headers.authorization === 'Bearer tok-2'
          ? json(200, { entry: [] })
          : failure(401, 'expired_token', 'Token is expired or otherwise invalid.');
      },
    });
    const auth = voipnowAuth({
      tokenUrl: `${server.url}/oauth/token.php`,
      clientId: 'id',
      clientSecret: 'secret',
    });
    const fetch = createTriageFetch({ vendor: voipnow, auth });
    const listed = await fetch(`${server.url}${PHONE_CALLS}`);
    expect(await listed.json()).toEqual({ entry: [] });
    const denied = await rejection(fetch(`${server.url}/unifiedapi/phoneCallEvents/@me/0003*001`));
    expect(denied.giveUpReason).toBe('auth-denied');
    expect(server.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/oauth/token.php', undefined],
      [PHONE_CALLS, 'Bearer tok-1'],
      ['/oauth/token.php', undefined],
      [PHONE_CALLS, 'Bearer tok-2'],
      ['/unifiedapi/phoneCallEvents/@me/0003*001', 'Bearer tok-2'],
    ]);
  });
});
