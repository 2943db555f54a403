import { isVendorError, type VendorError } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { createManualClock } from '@triage/testing';
import {
  type ScriptedResponse,
  type ScriptedServer,
  startScriptedServer,
} from '@triage/testing/node';
import { fonedynamics } from '@triage/vendors/fonedynamics';
import { afterEach, describe, expect, it } from 'vitest';

// End to end through the fetch adapter: a 500 may have bought the number or sent the SMS, so
// only idempotent methods are repeated; a 401 is never "refreshed" (static Basic credentials).

const serverError: ScriptedResponse = {
  status: 500,
  headers: { 'content-type': 'application/json' },
  body: '{"ResponseStatus":{"ErrorCode":"Exception","Message":"An error occurred.","Errors":[]}}',
};

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

function client(refresh?: () => Promise<void>) {
  return createTriageFetch({
    vendor: fonedynamics,
    clock: createManualClock({ autoAdvance: true }),
    random: () => 0.5,
    ...(refresh === undefined ? {} : { auth: { refresh } }),
  });
}

describe('fonedynamics through the engine', () => {
  it('a 500 on a POST (send an SMS) is sent once', async () => {
    server = await startScriptedServer({ script: [serverError] });
    const error = await rejection(
      client()(`${server.url}/v2/Properties/PR1/Messages`, {
        method: 'POST',
        body: '{"To":"+61400000000"}',
      }),
    );
    expect(server.requests).toHaveLength(1);
    expect(error.giveUpReason).toBe('unsafe');
    expect(error.code).toBe('Exception');
  });

  it('a 500 on a GET is retried', async () => {
    server = await startScriptedServer({
      script: [
        serverError,
        {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: '{"ResponseStatus":{}}',
        },
      ],
    });
    const response = await client()(`${server.url}/v2/Properties/PR1/Messages/MS1`);
    expect(response.status).toBe(200);
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  it('a 401 stops without calling refresh', async () => {
    server = await startScriptedServer({
      script: [
        {
          status: 401,
          body: '{"ResponseStatus":{"ErrorCode":"Unauthorized","Message":"Invalid BasicAuth Credentials"}}',
        },
      ],
    });
    let refreshed = 0;
    const error = await rejection(
      client(async () => {
        refreshed++;
      })(`${server.url}/v2/Accounts/AC1`),
    );
    expect(refreshed).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(error.giveUpReason).toBe('auth-denied');
  });
});
