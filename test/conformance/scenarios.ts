import type { TriageOptions, VendorProfile } from '@triage/core';
import { http } from '@triage/core';
import type { ScriptedResponse } from '@triage/testing/node';
import { co3, convio, fonedynamics, simplybook, voipnow } from '@triage/vendors';
import { co3SecretBody, jsonSecretBody, SECRETS } from '../support/secret-scan.ts';

/** What a scenario must come to, for every adapter on every transport. */
export interface Expectation {
  /** Requests the server received. */
  attempts: number;
  /** The waits before each retry, from the `retry` events (exact: injected clock and random). */
  delays: number[];
  /** The success body the caller reads; absent when the request must fail. */
  body?: string;
  /** The `VendorError` the request must reject with (a subset of its properties). */
  error?: Record<string, unknown>;
  /** Event types in order. */
  events?: string[];
}

/** A scripted vendor conversation: the answers in order, then `thereafter`. */
export interface Scenario {
  name: string;
  vendor: VendorProfile;
  method: string;
  body?: string;
  headers?: Record<string, string>;
  script: ScriptedResponse[];
  thereafter: ScriptedResponse;
  options?: Partial<TriageOptions>;
  /** `manual`: time moves only when the scenario says (deadlines with real I/O in flight). */
  clock?: 'auto' | 'manual';
  expect: Expectation;
}

const json = (status: number, value: unknown, type = 'application/json'): ScriptedResponse => ({
  status,
  headers: { 'content-type': type },
  body: JSON.stringify(value),
});
const xml = (status: number, body: string): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body: `<?xml version="1.0" encoding="utf-8"?>\n${body}`,
});
const co3Error = (code: number, text: string) =>
  xml(
    200,
    `<response>\n  <error>\n    <code>${code}</code>\n    <description><![CDATA[${text}]]></description>\n  </error>\n</response>`,
  );
const rpcError = (code: number, message: string) =>
  json(200, { jsonrpc: '2.0', id: 1, error: { code, message } });

/** The start of every scenario's clock, so HTTP-dates are exact. */
export const CLOCK_START: number = Date.parse('2026-11-22T10:00:00Z');

const okJson = json(200, { ok: true });
const OK = '{"ok":true}';

export const scenarios: Scenario[] = [
  // Each vendor's retryable code followed by success.
  {
    name: 'simplybook: -32603 on a read (marked idempotent), then success',
    vendor: simplybook,
    method: 'POST',
    body: '{"jsonrpc":"2.0","method":"getEventList","params":[],"id":1}',
    headers: { 'idempotency-key': 'read-1' },
    script: [rpcError(-32603, 'Internal error')],
    thereafter: json(200, {
      jsonrpc: '2.0',
      id: 1,
      result: { error: 'not an error: a payload field' },
    }),
    expect: {
      attempts: 2,
      delays: [100],
      body: '{"jsonrpc":"2.0","id":1,"result":{"error":"not an error: a payload field"}}',
      events: ['classified', 'retry', 'recovered'],
    },
  },
  {
    name: 'co3: code 8 on a POST (effect none) is retried after at least 1 s',
    vendor: co3,
    method: 'POST',
    body: '<request><customer><name>Ada</name></customer></request>',
    script: [
      co3Error(8, 'Too many requests in the same time. Please try later!'),
      co3Error(8, 'Too many requests in the same time. Please try later!'),
    ],
    thereafter: xml(200, '<response><result>OK</result></response>'),
    expect: {
      attempts: 3,
      delays: [1000, 1000],
      body: '<?xml version="1.0" encoding="utf-8"?>\n<response><result>OK</result></response>',
    },
  },
  {
    name: 'convio: code 19 (a read, effect none) behind HTTP 403, then success',
    vendor: convio,
    method: 'POST',
    body: 'method=getGroupMembers&v=1.0&response_format=json',
    script: [
      json(
        403,
        {
          errorResponse: { code: '19', message: 'The members of a group could not be retrieved.' },
        },
        'text/plain',
      ),
    ],
    thereafter: json(200, { getGroupMembersResponse: { member: [] } }, 'text/plain'),
    expect: { attempts: 2, delays: [100], body: '{"getGroupMembersResponse":{"member":[]}}' },
  },
  {
    name: 'voipnow: internal_server_error on a GET, then success',
    vendor: voipnow,
    method: 'GET',
    script: [
      json(500, {
        error: { code: 'internal_server_error', message: 'An internal server error occurred.' },
      }),
    ],
    thereafter: okJson,
    expect: { attempts: 2, delays: [100], body: OK },
  },
  {
    name: 'fonedynamics: HTTP 500 on a GET, then success',
    vendor: fonedynamics,
    method: 'GET',
    script: [
      json(500, {
        ResponseStatus: { ErrorCode: 'InternalServerError', Message: 'An error occurred' },
      }),
    ],
    thereafter: json(200, { ResponseStatus: {} }),
    expect: { attempts: 2, delays: [100], body: '{"ResponseStatus":{}}' },
  },

  // Retries exhausted.
  {
    name: 'retries exhausted: VendorError with attempts',
    vendor: co3,
    method: 'POST',
    script: [
      co3Error(8, 'Too many requests'),
      co3Error(8, 'Too many requests'),
      co3Error(8, 'Too many requests'),
    ],
    thereafter: okJson,
    options: { retry: 2 },
    expect: {
      attempts: 3,
      delays: [1000, 1000],
      error: {
        vendor: 'co3',
        code: '8',
        category: 'retryable',
        effect: 'none',
        attempts: 3,
        giveUpReason: 'exhausted',
      },
      events: ['classified', 'retry', 'classified', 'retry', 'classified', 'give-up'],
    },
  },

  // Validation and fatal: no retry.
  {
    name: 'validation: no retry, fields filled',
    vendor: fonedynamics,
    method: 'POST',
    script: [
      json(400, {
        ResponseStatus: {
          ErrorCode: 'MISSING_PARAMETER',
          Message: 'A required parameter is missing',
          Errors: [{ ErrorCode: 'MISSING_PARAMETER', FieldName: 'To', Message: 'To is required' }],
        },
      }),
    ],
    thereafter: okJson,
    expect: {
      attempts: 1,
      delays: [],
      error: {
        vendor: 'fonedynamics',
        category: 'validation',
        code: 'MISSING_PARAMETER',
        status: 400,
        giveUpReason: 'not-retryable',
      },
    },
  },
  {
    name: 'fatal: a failed payment is never retried',
    vendor: simplybook,
    method: 'POST',
    script: [rpcError(-32099, 'Payment failed')],
    thereafter: okJson,
    expect: {
      attempts: 1,
      delays: [],
      error: { vendor: 'simplybook', category: 'fatal', code: -32099, attempts: 1 },
    },
  },

  // Safety: unknown effect.
  {
    name: 'POST after HTTP 500 (effect unknown) is not retried',
    vendor: fonedynamics,
    method: 'POST',
    script: [json(500, { ResponseStatus: { ErrorCode: 'InternalServerError', Message: 'boom' } })],
    thereafter: okJson,
    expect: {
      attempts: 1,
      delays: [],
      error: { status: 500, effect: 'unknown', giveUpReason: 'unsafe' },
    },
  },
  {
    name: 'the same HTTP 500 with GET is retried',
    vendor: http,
    method: 'GET',
    script: [{ status: 500 }],
    thereafter: okJson,
    expect: { attempts: 2, delays: [100], body: OK },
  },
  {
    name: 'a connection reset is a classified network error; a GET is retried',
    vendor: http,
    method: 'GET',
    script: [{ reset: 'before' }],
    thereafter: okJson,
    expect: { attempts: 2, delays: [100], body: OK },
  },
  {
    name: 'a connection reset on a POST is not retried',
    vendor: http,
    method: 'POST',
    script: [{ reset: 'before' }],
    thereafter: okJson,
    expect: {
      attempts: 1,
      delays: [],
      error: { category: 'retryable', effect: 'unknown', giveUpReason: 'unsafe' },
    },
  },

  // Retry-After.
  {
    name: 'Retry-After in seconds gives the exact wait',
    vendor: http,
    method: 'POST',
    script: [{ status: 429, headers: { 'retry-after': '2' } }],
    thereafter: okJson,
    expect: { attempts: 2, delays: [2000], body: OK },
  },
  {
    name: 'Retry-After as an HTTP-date gives the exact wait',
    vendor: http,
    method: 'GET',
    script: [{ status: 503, headers: { 'retry-after': 'Sun, 22 Nov 2026 10:00:05 GMT' } }],
    thereafter: okJson,
    expect: { attempts: 2, delays: [5000], body: OK },
  },
  {
    name: 'a Retry-After beyond the deadline fails at once',
    vendor: http,
    method: 'GET',
    script: [{ status: 503, headers: { 'retry-after': '30' } }],
    thereafter: okJson,
    options: { retry: { maxElapsedMs: 10_000 } },
    clock: 'manual',
    expect: {
      attempts: 1,
      delays: [],
      error: { giveUpReason: 'deadline', retryAfterMs: 30_000, attempts: 1 },
    },
  },

  // No double retries: the client's own retry never adds attempts.
  {
    name: 'no double retries: a GET 503 storm gives exactly retries + 1 attempts',
    vendor: http,
    method: 'GET',
    script: [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }],
    thereafter: okJson,
    options: { retry: 1 },
    expect: {
      attempts: 2,
      delays: [100],
      error: { status: 503, attempts: 2, giveUpReason: 'exhausted' },
    },
  },

  // Credentials in every place a vendor takes them: the secret scan in the runner checks that
  // none reaches an error or an event (the runner adds credential headers and `?api_key=` too).
  {
    name: 'secrets: auth.apply sets Authorization; VoipNow expired_token is refreshed, then success',
    vendor: voipnow,
    method: 'GET',
    script: [json(401, { error: { code: 'expired_token', message: 'The access token expired.' } })],
    thereafter: okJson,
    options: {
      auth: {
        refresh: async () => {},
        apply: (request) => request.headers.set('authorization', `Bearer ${SECRETS.bearer}`),
      },
    },
    expect: {
      attempts: 2,
      delays: [],
      body: OK,
      events: ['classified', 'auth-refresh', 'recovered'],
    },
  },
  {
    name: 'secrets: a CO3 body with api_key, session_key and password; code 8, then code 15',
    vendor: co3,
    method: 'POST',
    body: co3SecretBody('<setInvoice><price>0</price></setInvoice>'),
    script: [
      co3Error(8, 'Too many requests in the same time. Please try later!'),
      co3Error(15, 'The following field must not be 0: price'),
    ],
    thereafter: okJson,
    expect: {
      attempts: 2,
      delays: [1000],
      error: {
        vendor: 'co3',
        code: '15',
        category: 'validation',
        fields: [
          { name: 'price', message: 'The following field must not be 0: price', code: '15' },
        ],
        giveUpReason: 'not-retryable',
      },
    },
  },
  {
    name: 'secrets: a JSON body with password, token and client_secret; Fone Dynamics 401 is denied',
    vendor: fonedynamics,
    method: 'POST',
    body: jsonSecretBody({ To: '+61400000000', Text: 'hi' }),
    script: [
      json(401, {
        ResponseStatus: { ErrorCode: 'UNAUTHORIZED', Message: 'Wrong or missing credentials' },
      }),
    ],
    thereafter: okJson,
    expect: {
      attempts: 1,
      delays: [],
      error: { vendor: 'fonedynamics', category: 'auth', status: 401, giveUpReason: 'auth-denied' },
    },
  },
  {
    name: 'secrets: Convio api_key in the query and the form body; code 2 (wrong key) is denied',
    vendor: convio,
    method: 'POST',
    body: `method=getUser&v=1.0&response_format=json&api_key=${SECRETS.queryApiKey}&password=${SECRETS.jsonPassword}`,
    script: [
      json(403, { errorResponse: { code: '2', message: 'Incorrect API key.' } }, 'text/plain'),
    ],
    thereafter: okJson,
    expect: {
      attempts: 1,
      delays: [],
      error: { vendor: 'convio', code: '2', category: 'auth', giveUpReason: 'auth-denied' },
    },
  },
];
