import { isTriageError } from '@triage/core';
import {
  type ScriptedResponse,
  type ScriptedServer,
  startScriptedServer,
} from '@triage/testing/node';
import { VoipnowAuthError, voipnowAuth } from '@triage/vendors/voipnow';
import { afterEach, describe, expect, it } from 'vitest';

const CLIENT_ID = 'app-7Qm2xW';
const CLIENT_SECRET = 'Zk8vN3pR6tY1uW4eQ7iO0pA2sD5fG8hJ';

const json = (status: number, value: unknown): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});
const token = (value: string, expiresIn: unknown = 3600) =>
  json(200, { access_token: value, token_type: 'Bearer', expires_in: expiresIn });

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(script: ScriptedResponse[], renewBeforeMs?: number) {
  server = await startScriptedServer({ script });
  const clock = { time: 1_000_000, now: () => clock.time };
  const auth = voipnowAuth({
    tokenUrl: `${server.url}/oauth/token.php`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clock,
    ...(renewBeforeMs === undefined ? {} : { renewBeforeMs }),
  });
  /** The bearer token apply() puts on a fresh request. */
  const bearer = async () => {
    const request = {
      method: 'GET',
      url: new URL('https://voipnow.example.com/unifiedapi/phoneCalls/@me/@self'),
      headers: new Headers(),
    };
    await auth.apply(request);
    return request.headers.get('authorization');
  };
  return { auth, server, clock, bearer };
}

async function rejection(promise: Promise<unknown>): Promise<VoipnowAuthError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!(error instanceof VoipnowAuthError)) throw error;
  return error;
}

describe('voipnowAuth', () => {
  it('gets a client_credentials token for UnifiedAPI and sends it as a bearer token', async () => {
    const { server, bearer } = await setup([token('tok-1')]);
    expect(await bearer()).toBe('Bearer tok-1');
    expect(server.requests).toHaveLength(1);
    const [sent] = server.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.url).toBe('/oauth/token.php');
    expect(sent?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(sent?.body))).toEqual({
      grant_type: 'client_credentials',
      type: 'unifiedapi',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
  });

  it('reuses the token until five minutes before it expires, then renews it', async () => {
    const { server, clock, bearer } = await setup([token('tok-1'), token('tok-2')]);
    const start = clock.time;
    expect(await bearer()).toBe('Bearer tok-1');
    clock.time = start + 3_600_000 - 300_000 - 1;
    expect(await bearer()).toBe('Bearer tok-1');
    expect(server.requests).toHaveLength(1);
    clock.time = start + 3_600_000 - 300_000;
    expect(await bearer()).toBe('Bearer tok-2');
    expect(server.requests).toHaveLength(2);
  });

  it('honours renewBeforeMs', async () => {
    const { server, clock, bearer } = await setup([token('tok-1'), token('tok-2')], 60_000);
    const start = clock.time;
    await bearer();
    clock.time = start + 3_540_000 - 1;
    expect(await bearer()).toBe('Bearer tok-1');
    clock.time = start + 3_540_000;
    expect(await bearer()).toBe('Bearer tok-2');
    expect(server.requests).toHaveLength(2);
  });

  it('renews a token shorter-lived than the window half-way, not on every request', async () => {
    const { server, clock, bearer } = await setup([token('tok-1', 120), token('tok-2', 120)]);
    const start = clock.time;
    await bearer();
    clock.time = start + 59_999;
    expect(await bearer()).toBe('Bearer tok-1');
    clock.time = start + 60_000;
    expect(await bearer()).toBe('Bearer tok-2');
    expect(server.requests).toHaveLength(2);
  });

  it('reads expires_in given as a string, and assumes the documented hour when it is missing', async () => {
    const { server, clock, bearer } = await setup([
      token('tok-1', '600'),
      json(200, { access_token: 'tok-2' }),
      token('tok-3'),
    ]);
    const start = clock.time;
    await bearer();
    clock.time = start + 300_000;
    expect(await bearer()).toBe('Bearer tok-2');
    clock.time = start + 300_000 + 3_300_000 - 1;
    expect(await bearer()).toBe('Bearer tok-2');
    clock.time = start + 300_000 + 3_300_000;
    expect(await bearer()).toBe('Bearer tok-3');
    expect(server.requests).toHaveLength(3);
  });

  it('concurrent renewals share one token request', async () => {
    const { auth, server, bearer } = await setup([token('tok-1')]);
    const results = await Promise.all([bearer(), bearer(), auth.refresh(), bearer()]);
    expect(results).toEqual(['Bearer tok-1', 'Bearer tok-1', undefined, 'Bearer tok-1']);
    expect(server.requests).toHaveLength(1);
  });

  it('refresh() replaces a token that is not due yet', async () => {
    const { auth, server, bearer } = await setup([token('tok-1'), token('tok-2')]);
    expect(await bearer()).toBe('Bearer tok-1');
    await auth.refresh();
    expect(await bearer()).toBe('Bearer tok-2');
    expect(server.requests).toHaveLength(2);
  });

  it('an OAuth error rejects with its code and description, never the credentials', async () => {
    const { auth } = await setup([
      json(401, { error: 'invalid_client', error_description: 'Client authentication failed' }),
      json(400, {
        error: 'invalid_request',
        error_description: `Unknown client ${CLIENT_ID} with secret ${CLIENT_SECRET}`,
      }),
    ]);
    const denied = await rejection(auth.refresh());
    expect(denied.message).toBe(
      'VoipNow token request failed: HTTP 401 invalid_client (Client authentication failed)',
    );
    expect(denied.code).toBe('invalid_client');
    expect(denied.status).toBe(401);
    expect(denied.name).toBe('VoipnowAuthError');
    expect(isTriageError(denied)).toBe(true);

    const echoed = await rejection(auth.refresh());
    expect(echoed.message).toBe(
      'VoipNow token request failed: HTTP 400 invalid_request (Unknown client [REDACTED] with secret [REDACTED])',
    );
  });

  it('a UnifiedAPI error envelope from the token endpoint is reported too', async () => {
    const { auth } = await setup([
      json(500, {
        error: { code: 'internal_server_error', message: 'An internal server error occurred.' },
      }),
    ]);
    const error = await rejection(auth.refresh());
    expect(error.message).toBe(
      'VoipNow token request failed: HTTP 500 internal_server_error (An internal server error occurred.)',
    );
    expect(error.code).toBe('internal_server_error');
  });

  it('rejects on a non-JSON failure and on a success without access_token', async () => {
    const { auth } = await setup([
      {
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: '<html>502 Bad Gateway</html>',
      },
      json(200, { token_type: 'Bearer', expires_in: 3600 }),
    ]);
    const gateway = await rejection(auth.refresh());
    expect(gateway.message).toBe('VoipNow token request failed: HTTP 502');
    expect(gateway.code).toBeUndefined();
    const empty = await rejection(auth.refresh());
    expect(empty.message).toBe('VoipNow token response has no access_token');
    expect(empty.status).toBe(200);
  });

  it('a failed renewal is not cached: the next request asks again', async () => {
    const { server, bearer } = await setup([json(503, {}), token('tok-2')]);
    await rejection(bearer());
    expect(await bearer()).toBe('Bearer tok-2');
    expect(server.requests).toHaveLength(2);
  });

  it('a network failure rejects with the cause kept and no credentials', async () => {
    const { auth, server } = await setup([]);
    await server.close();
    const error = await rejection(auth.refresh());
    expect(error.message).toBe('VoipNow token request failed');
    expect(error.cause).toBeInstanceOf(Error);
    expect(String(error.cause)).not.toContain(CLIENT_SECRET);
  });
});
