import { http, isVendorError, type TriageEvent, VendorError } from '@triage/core';
import { withTriage } from '@triage/ky';
import { voipnow } from '@triage/vendors';
import ky from 'ky';
import { afterAll, describe, expect, test } from 'vitest';
import type { DriverOptions } from '../conformance/drivers/driver.ts';
import { drivers } from '../conformance/drivers/index.ts';
import {
  co3SecretBody,
  expectNoSecrets,
  findLeaks,
  jsonSecretBody,
  SECRETS,
  secretHeaders,
  withApiKey,
} from '../support/secret-scan.ts';
import { type Fault, startFaultServer } from './support/fault-server.ts';
import { within } from './support/outcome.ts';

// Credentials never appear in what triage shows: an error's message, toJSON(), util.inspect()
// and String(), nor any event. Each request below carries every kind of credential (headers,
// `api_key` in the query, XML and JSON bodies, `auth.apply`), and each way a request can fail is
// scanned. The conformance runner and the fault suite scan their errors and events the same way.

const server = await startFaultServer();
afterAll(() => server.close());

describe('the scan', () => {
  test('finds a credential in each rendering it checks', () => {
    expect(findLeaks(new Error(`key ${SECRETS.queryApiKey}`))).toHaveLength(2);
    const error = new VendorError(
      {
        vendor: 'acme',
        category: 'fatal',
        message: `echo ${SECRETS.co3Password}`,
        fields: [],
        effect: 'unknown',
        source: 'response',
      },
      { request: { method: 'GET', url: 'https://vendor.test/' } },
    );
    expect(findLeaks(error).map((leak) => leak.split(':')[0])).toEqual([
      'co3Password in message',
      'co3Password in String()',
      'co3Password in JSON.stringify()',
      'co3Password in util.inspect()',
    ]);
    expect(findLeaks({ type: 'retry', note: SECRETS.cookie })).toHaveLength(2);
    expect(() => expectNoSecrets({ events: [{ token: SECRETS.jsonToken }] })).toThrow(
      /jsonToken in JSON\.stringify\(\)/,
    );
  });
});

test('a VendorError shows a redacted URL: user info and credential parameters', () => {
  const url = `https://user:${SECRETS.jsonPassword}@vendor.test/api?api_key=${SECRETS.queryApiKey}&token=${SECRETS.jsonToken}&session_key=${SECRETS.co3SessionKey}&page=2`;
  const error = new VendorError(
    {
      vendor: 'acme',
      category: 'retryable',
      message: 'HTTP 503',
      fields: [],
      effect: 'unknown',
      source: 'response',
      status: 503,
    },
    { request: { method: 'get', url }, cause: new Error('upstream'), response: { url } },
  );
  expect(error.request).toEqual({
    method: 'GET',
    url: 'https://vendor.test/api?api_key=%5BREDACTED%5D&token=%5BREDACTED%5D&session_key=%5BREDACTED%5D&page=2',
  });
  expectNoSecrets({ errors: [error] });
  // The response stays reachable, out of JSON and enumeration.
  expect((error.response as { url: string }).url).toBe(url);
  expect(Object.keys(error)).not.toContain('response');
});

/** A way for a request to fail, and the outcome it must come to. */
interface Failure {
  name: string;
  faults: Fault[];
  method: 'GET' | 'POST';
  body?: string;
  options?: Partial<DriverOptions>;
  code?: string;
  status?: number;
}

const FAILURES: Failure[] = [
  {
    name: 'HTTP 503 until the retries run out',
    faults: [],
    method: 'GET',
    status: 503,
    options: { retry: 1 },
  },
  {
    name: 'a vendor error in the body, a CO3 XML request',
    faults: [],
    method: 'POST',
    body: co3SecretBody(),
    code: 'expired_token',
    status: 401,
  },
  {
    name: 'a reset (network error)',
    faults: [{ kind: 'reset-before' }],
    method: 'POST',
    code: 'ECONNRESET',
  },
  {
    name: 'a per-attempt timeout',
    faults: [{ kind: 'hang' }],
    method: 'POST',
    code: 'ATTEMPT_TIMEOUT',
    options: { retry: { attemptTimeoutMs: 100 } },
  },
  {
    name: 'a refresh that fails',
    faults: [],
    method: 'GET',
    code: 'expired_token',
    status: 401,
    options: {
      auth: {
        refresh: async () => {
          throw new Error(`login refused for ${SECRETS.clientSecret}`);
        },
        apply: (request) => {
          request.headers.set('authorization', `Bearer ${SECRETS.bearer}`);
          request.headers.set('x-token', SECRETS.xToken);
          request.url.searchParams.set('api_key', SECRETS.queryApiKey);
        },
      },
    },
  },
];

/** Paths that answer with a VoipNow error (or a 503) after the scripted faults. */
function thereafter(failure: Failure): Fault {
  if (failure.status === 503) return { kind: 'status', status: 503, executed: false };
  return {
    kind: 'ok',
    status: 401,
    body: JSON.stringify({
      error: { code: 'expired_token', message: 'The access token expired.' },
    }),
  };
}

describe.each(drivers)('$name adapter', (driver) => {
  test.each(FAILURES)('$name', async (failure) => {
    const path = `/secrets/${driver.name}/${FAILURES.indexOf(failure)}`;
    server.script(path, failure.faults, thereafter(failure));
    const events: TriageEvent[] = [];
    const client = driver.create({
      vendor: voipnow,
      random: () => 0.5,
      retry: { minDelayMs: 1, maxDelayMs: 2 },
      onEvent: (event) => events.push(event),
      ...failure.options,
    });
    const { error } = await within(
      client({
        url: withApiKey(`${server.url}${path}`),
        method: failure.method,
        headers: secretHeaders(),
        body: failure.body ?? (failure.method === 'POST' ? jsonSecretBody() : undefined),
      }),
      10_000,
      failure.name,
    );
    expect(isVendorError(error), String(error)).toBe(true);
    expect(error).toMatchObject({ code: failure.code, status: failure.status });
    expect(events.length).toBeGreaterThan(0);
    expectNoSecrets({ errors: [error], events });
    // The credentials did reach the vendor: the scan had something to find.
    const [first] = server.ledger(path);
    expect(first?.query).toContain(SECRETS.queryApiKey);
    expect(first?.headers['x-user-token']).toBe(SECRETS.xUserToken);
  });
});

describe("ky's own errors name the URL: triage redacts it", () => {
  test("ky's per-attempt timeout", async () => {
    const path = '/secrets/ky-timeout';
    server.script(path, [], { kind: 'hang' });
    const events: TriageEvent[] = [];
    const api = withTriage(ky.create({ timeout: 100 }), {
      vendor: http,
      retry: false,
      onEvent: (event) => events.push(event),
    });
    const url = withApiKey(`${server.url}${path}`);
    const error = await api(url, { method: 'POST' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TIMEOUT', giveUpReason: 'exhausted' });
    expectNoSecrets({ errors: [error, (error as VendorError).cause], events });
    // The caller still has the real request.
    expect(((error as VendorError).cause as { request: Request }).request.url).toBe(url);
  });
});
