import { isVendorError, type VendorError } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { createManualClock } from '@triage/testing';
import {
  type ScriptedResponse,
  type ScriptedServer,
  startScriptedServer,
} from '@triage/testing/node';
import { simplybook, simplybookAuth } from '@triage/vendors/simplybook';
import { afterEach, describe, expect, it } from 'vitest';

// End to end through the fetch adapter: what the engine does with SimplyBook's table. Every
// JSON-RPC call is a POST, so only a caller-marked idempotent request may be repeated after an
// outcome that is not known.

const rpc = (value: object): ScriptedResponse => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ...value, id: 1, jsonrpc: '2.0' }),
});
const failure = (code: number, message: string) => rpc({ error: { code, message } });

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
    vendor: simplybook,
    clock: createManualClock({ autoAdvance: true }),
    random: () => 0.5,
  });
}

const call = (method: string) =>
  JSON.stringify({ jsonrpc: '2.0', method, params: [2, 1, '2025-05-27', '10:00:00'], id: 1 });

describe('simplybook through the engine', () => {
  it.each([
    [-32055, "One or more appointments couldn't be reserved", 'not-retryable'],
    [-32099, 'Payment failed', 'not-retryable'],
    [-32603, 'Internal error', 'unsafe'],
  ] as const)('book() failing with %i is sent once', async (code, message, reason) => {
    server = await startScriptedServer({ script: [failure(code, message)] });
    const error = await rejection(client()(server.url, { method: 'POST', body: call('book') }));
    expect(server.requests).toHaveLength(1);
    expect(error.code).toBe(code);
    expect(error.giveUpReason).toBe(reason);
  });

  it('-32055 is not retried even when the caller allows fatal retries and marks it idempotent', async () => {
    server = await startScriptedServer({
      script: [failure(-32055, "One or more appointments couldn't be reserved")],
    });
    const error = await rejection(
      client()(server.url, {
        method: 'POST',
        body: call('book'),
        triage: { idempotent: true, retry: { categories: { fatal: { retries: 3 } } } },
      }),
    );
    expect(server.requests).toHaveLength(1);
    expect(error.giveUpReason).toBe('not-retryable');
  });

  it('-32603 on a read the caller marks idempotent is retried at most twice', async () => {
    server = await startScriptedServer({
      script: [
        failure(-32603, 'Internal error'),
        failure(-32603, 'Internal error'),
        failure(-32603, 'Internal error'),
      ],
    });
    const error = await rejection(
      client()(server.url, {
        method: 'POST',
        body: call('getEventList'),
        triage: { idempotent: true },
      }),
    );
    expect(server.requests).toHaveLength(3);
    expect(error.giveUpReason).toBe('exhausted');
  });

  it('-32600 "Access denied" gets a new token and repeats the call once', async () => {
    let tokens = 0;
    server = await startScriptedServer({
      script: (request) => {
        if (request.url === '/login') return rpc({ result: `token-${++tokens}` });
        return request.headers['x-token'] === 'token-2'
          ? rpc({ result: { id: '1187' } })
          : failure(-32600, 'Access denied');
      },
    });
    const auth = simplybookAuth({
      company: 'acme',
      apiKey: 'secret-key',
      loginUrl: `${server.url}/login`,
    });
    const fetch = createTriageFetch({ vendor: simplybook, auth });
    const response = await fetch(`${server.url}/`, { method: 'POST', body: call('book') });
    expect(await response.json()).toEqual({ result: { id: '1187' }, id: 1, jsonrpc: '2.0' });
    expect(server.requests.map((r) => [r.url, r.headers['x-token']])).toEqual([
      ['/login', undefined],
      ['/', 'token-1'],
      ['/login', undefined],
      ['/', 'token-2'],
    ]);
  });

  it('-32600 "Company does not exists" stops without asking for a token again', async () => {
    server = await startScriptedServer({
      script: (request) =>
        request.url === '/login'
          ? rpc({ result: 'token-1' })
          : failure(-32600, 'Company does not exists'),
    });
    const auth = simplybookAuth({ company: 'nope', apiKey: 'k', loginUrl: `${server.url}/login` });
    const fetch = createTriageFetch({ vendor: simplybook, auth });
    const error = await rejection(fetch(`${server.url}/`, { method: 'POST', body: call('book') }));
    expect(error.giveUpReason).toBe('auth-denied');
    expect(server.requests.map((r) => r.url)).toEqual(['/login', '/']);
  });
});
