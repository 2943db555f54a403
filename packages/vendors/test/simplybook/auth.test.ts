import { isTriageError } from '@triage/core';
import {
  type ScriptedResponse,
  type ScriptedServer,
  startScriptedServer,
} from '@triage/testing/node';
import { SimplybookAuthError, simplybookAuth } from '@triage/vendors/simplybook';
import { afterEach, describe, expect, it } from 'vitest';

const API_KEY = 'f3c1d9e27b5a4c6e8d0b2a4f6e8c0d2b4a6f8e0c2d4b6a8f0e2c4d6b8a0f2e4c';

const rpc = (value: unknown, status = 200): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ...(value as object), id: 1, jsonrpc: '2.0' }),
});

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function login(script: ScriptedResponse[]) {
  server = await startScriptedServer({ script });
  const auth = simplybookAuth({
    company: 'acme',
    apiKey: API_KEY,
    loginUrl: `${server.url}/login`,
  });
  return { auth, server };
}

function attempt() {
  return { method: 'POST', url: new URL('https://user-api.simplybook.me'), headers: new Headers() };
}

async function rejection(promise: Promise<unknown>): Promise<SimplybookAuthError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!(error instanceof SimplybookAuthError)) throw error;
  return error;
}

describe('simplybookAuth', () => {
  it('refresh() calls getToken(company, apiKey) on the login URL; apply() sets both headers', async () => {
    const { auth, server } = await login([rpc({ result: 'token-1' })]);
    await auth.refresh();
    const request = attempt();
    await auth.apply(request);

    expect(server.requests).toHaveLength(1);
    const [sent] = server.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.url).toBe('/login');
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent?.body ?? '')).toEqual({
      jsonrpc: '2.0',
      method: 'getToken',
      params: ['acme', API_KEY],
      id: 1,
    });
    expect(request.headers.get('x-company-login')).toBe('acme');
    expect(request.headers.get('x-token')).toBe('token-1');
  });

  it('apply() gets a first token itself; concurrent callers share one getToken', async () => {
    const { auth, server } = await login([rpc({ result: 'token-1' })]);
    const requests = [attempt(), attempt(), attempt()];
    await Promise.all([...requests.map((r) => auth.apply(r)), auth.refresh()]);
    expect(server.requests).toHaveLength(1);
    expect(requests.map((r) => r.headers.get('x-token'))).toEqual([
      'token-1',
      'token-1',
      'token-1',
    ]);
  });

  it('refresh() replaces the token that apply() sets', async () => {
    const { auth, server } = await login([rpc({ result: 'token-1' }), rpc({ result: 'token-2' })]);
    const first = attempt();
    await auth.apply(first);
    await auth.refresh();
    const second = attempt();
    await auth.apply(second);
    expect(server.requests).toHaveLength(2);
    expect([first, second].map((r) => r.headers.get('x-token'))).toEqual(['token-1', 'token-2']);
  });

  it('a getToken error rejects with the vendor code and message, never the API key', async () => {
    const { auth } = await login([rpc({ error: { code: -33002, message: 'Wrong API key' } })]);
    const error = await rejection(auth.refresh());
    expect(error.message).toBe('SimplyBook getToken failed: -33002 Wrong API key');
    expect(error.code).toBe(-33002);
    expect(error.status).toBe(200);
    expect(error.name).toBe('SimplybookAuthError');
    expect(isTriageError(error)).toBe(true);
  });

  it('redacts the API key when the vendor echoes it back', async () => {
    const message = `Wrong API key ${API_KEY} for company acme`;
    const { auth } = await login([rpc({ error: { code: '-33002', message } })]);
    const error = await rejection(auth.refresh());
    expect(error.message).toBe(
      'SimplyBook getToken failed: -33002 Wrong API key [REDACTED] for company acme',
    );
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(
      API_KEY,
    );
  });

  it('rejects on a non-JSON-RPC HTTP failure and on a missing token', async () => {
    const { auth } = await login([
      {
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: '<html>502 Bad Gateway</html>',
      },
      rpc({ result: null }),
    ]);
    const gateway = await rejection(auth.refresh());
    expect(gateway.message).toBe('SimplyBook getToken failed: HTTP 502');
    expect(gateway.status).toBe(502);
    expect(gateway.code).toBeUndefined();
    const empty = await rejection(auth.refresh());
    expect(empty.message).toBe('SimplyBook getToken returned no token');
  });

  it('a failed refresh is not cached: the next call asks again', async () => {
    const { auth, server } = await login([
      rpc({ error: { code: -32603, message: 'Internal error' } }),
      rpc({ result: 'token-2' }),
    ]);
    await rejection(auth.apply(attempt()));
    const request = attempt();
    await auth.apply(request);
    expect(server.requests).toHaveLength(2);
    expect(request.headers.get('x-token')).toBe('token-2');
  });

  it('a network failure rejects with the cause kept and no API key', async () => {
    const { auth, server } = await login([]);
    await server.close();
    const error = await rejection(auth.refresh());
    expect(error.message).toBe('SimplyBook getToken request failed');
    expect(error.cause).toBeInstanceOf(Error);
    expect(String(error.cause)).not.toContain(API_KEY);
  });
});
