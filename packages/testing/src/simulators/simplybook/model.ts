import { simplybook } from '@triage/vendors/simplybook';
import { DEMO_ACCOUNTS } from '../demo-accounts.ts';
import { createCredentialStore } from '../shared/credentials.ts';
import type { ModelAnswer, VendorModel } from '../shared/model.ts';
import { jsonReply, textReply, tooManyRequests } from '../shared/reply.ts';
import { isObject, jsonBody, type SimRequest } from '../shared/request.ts';
import type { SimulatedError } from '../types.ts';
import { PARSE_ERROR, SIMPLYBOOK_MESSAGES } from './errors.ts';
import type { SimplybookAccount, SimplybookSimulatorOptions } from './options.ts';

/** A JSON-RPC call as read from the body. */
type Call =
  | {
      readonly kind: 'call';
      readonly id: unknown;
      readonly method: string;
      readonly params: unknown;
    }
  | { readonly kind: 'parse-error' }
  | { readonly kind: 'invalid'; readonly id: unknown }
  | { readonly kind: 'not-post' };

interface Context {
  readonly request: SimRequest;
  readonly call: Call;
}

/** The services ("events") and providers ("units") every simulated company offers. */
const EVENTS: Readonly<Record<string, { readonly name: string; readonly duration: number }>> = {
  '1': { name: 'Consultation', duration: 60 },
  '2': { name: 'Follow-up', duration: 30 },
};
const UNITS: Readonly<Record<string, string>> = { '1': 'Dr. Jane Doe', '2': 'Dr. John Roe' };

const JSON_TYPE = 'application/json';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[\d\s().-]{6,20}$/;

function wireCode(code: string | number): string | number {
  const text = String(code);
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

function result(id: unknown, value: unknown): ModelAnswer {
  return { reply: jsonReply(200, { result: value, id, jsonrpc: '2.0' }, JSON_TYPE) };
}

/**
 * A JSON-RPC error. The code goes out as a number (JSON-RPC 2.0 §5.1, and SimplyBook's company
 * administration page); the errors page's example quotes it, and triage reads both.
 */
function rpcError(id: unknown, code: string | number, message?: string, status = 200): ModelAnswer {
  const text = message ?? SIMPLYBOOK_MESSAGES[String(code)] ?? `Error ${code}`;
  return {
    reply: jsonReply(
      status,
      { error: { code: wireCode(code), message: text }, id, jsonrpc: '2.0' },
      JSON_TYPE,
    ),
    code: String(code),
  };
}

function readCall(request: SimRequest): Call {
  if (request.method !== 'POST') return { kind: 'not-post' };
  const body = jsonBody(request);
  if (body === undefined) return { kind: 'parse-error' };
  if (!isObject(body)) return { kind: 'invalid', id: null };
  const id = body.id ?? null;
  if (typeof body.method !== 'string' || body.method === '') return { kind: 'invalid', id };
  return { kind: 'call', id, method: body.method, params: body.params ?? [] };
}

function formatDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * SimplyBook.me's JSON-RPC 2.0 API: `getToken(company, apiKey)` at `/login`; at `/`,
 * `getEventList`, `getUnitList` and `book(eventId, unitId, date, time, clientData, …)` with the
 * `X-Company-Login` and `X-Token` headers. Every error is a JSON-RPC error in an HTTP 200 body.
 */
export function createSimplybookModel(
  options: SimplybookSimulatorOptions,
  clock: { now(): number },
): VendorModel<Context> {
  const accounts = new Map<string, SimplybookAccount>(
    (options.accounts ?? [DEMO_ACCOUNTS.simplybook]).map((account) => [account.company, account]),
  );
  const lifetimeMs = options.tokenLifetimeMs ?? 3_600_000;
  const tokens = createCredentialStore<string>('sb-token-', clock);
  const slots = new Set<string>();
  let nextBooking = 1000;

  function malformed(call: Call): ModelAnswer | undefined {
    switch (call.kind) {
      case 'not-post':
        return { reply: textReply(405, 'Method Not Allowed', 'text/plain; charset=utf-8') };
      case 'parse-error':
        return rpcError(null, PARSE_ERROR.code, PARSE_ERROR.message);
      case 'invalid':
        return rpcError(call.id, -32600, 'Invalid Request');
      default:
        return undefined;
    }
  }

  function getToken(id: unknown, params: unknown): ModelAnswer {
    if (!Array.isArray(params)) return rpcError(id, -32011);
    const [company, apiKey] = params as unknown[];
    if (typeof company !== 'string' || typeof apiKey !== 'string') return rpcError(id, -32010);
    const account = accounts.get(company);
    if (account === undefined) return rpcError(id, -33001);
    if (account.apiKey !== apiKey) return rpcError(id, -33002);
    return { ...result(id, tokens.issue(company, lifetimeMs)), issued: true };
  }

  function book(id: unknown, params: readonly unknown[]): ModelAnswer {
    if (params.length < 5) return rpcError(id, -32010);
    const [eventId, unitId, date, time, client] = params;
    const event = EVENTS[String(eventId)];
    if (event === undefined) return rpcError(id, -32051);
    if (UNITS[String(unitId)] === undefined) return rpcError(id, -32052);
    if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return rpcError(id, -32053);
    if (typeof time !== 'string' || !/^\d{2}:\d{2}(:\d{2})?$/.test(time)) {
      return rpcError(id, -32054);
    }
    const seconds = time.length === 5 ? `${time}:00` : time;
    const start = new Date(`${date}T${seconds}Z`);
    if (Number.isNaN(start.getTime())) return rpcError(id, -32053);
    if (!isObject(client)) return rpcError(id, -32602);
    if (typeof client.name !== 'string' || client.name.trim() === '') return rpcError(id, -32061);
    if (typeof client.email !== 'string' || !EMAIL.test(client.email)) return rpcError(id, -32062);
    if (
      client.phone !== undefined &&
      (typeof client.phone !== 'string' || !PHONE.test(client.phone))
    ) {
      return rpcError(id, -32063);
    }
    // A slot holds one booking: a repeated book() after an unseen success meets its own booking.
    const slot = `${String(unitId)} ${date} ${seconds}`;
    if (slots.has(slot)) return rpcError(id, -32054);
    slots.add(slot);
    nextBooking += 1;
    const end = new Date(start.getTime() + event.duration * 60_000);
    const booking = {
      id: String(nextBooking),
      event_id: String(eventId),
      unit_id: String(unitId),
      client_id: String(nextBooking + 5000),
      start_date_time: formatDateTime(start),
      end_date_time: formatDateTime(end),
      is_confirmed: '1',
      code: nextBooking.toString(36),
    };
    return { ...result(id, { require_confirm: false, bookings: [booking] }), write: true };
  }

  return {
    vendor: 'simplybook',
    profile: simplybook,
    defaultBaseUrl: 'https://user-api.simplybook.me',
    authEndpoint: true,
    read(request) {
      return { request, call: readCall(request) };
    },
    endpoint({ request }) {
      if (request.path === '/login') return 'auth';
      return request.path === '/' ? 'api' : undefined;
    },
    account({ request }) {
      return request.header('x-company-login') ?? '';
    },
    authenticate({ call }) {
      const refused = malformed(call);
      if (refused !== undefined || call.kind !== 'call') return refused ?? rpcError(null, -32600);
      if (call.method !== 'getToken') return rpcError(call.id, -32601);
      return getToken(call.id, call.params);
    },
    serve({ request, call }) {
      const refused = malformed(call);
      if (refused !== undefined || call.kind !== 'call') return refused ?? rpcError(null, -32600);
      const company = request.header('x-company-login');
      if (company === undefined || !accounts.has(company)) {
        return rpcError(call.id, -32600, 'Company does not exists');
      }
      const token = tokens.check(request.header('x-token'));
      if (token.state !== 'valid' || token.account !== company) {
        return rpcError(call.id, -32600, 'Access denied');
      }
      if (!Array.isArray(call.params)) return rpcError(call.id, -32011);
      switch (call.method) {
        case 'getEventList':
          return result(
            call.id,
            Object.fromEntries(
              Object.entries(EVENTS).map(([key, event]) => [
                key,
                { id: key, name: event.name, duration: String(event.duration), is_public: '1' },
              ]),
            ),
          );
        case 'getUnitList':
          return result(
            call.id,
            Object.fromEntries(
              Object.entries(UNITS).map(([key, name]) => [key, { id: key, name }]),
            ),
          );
        case 'book':
          return book(call.id, call.params as readonly unknown[]);
        default:
          return rpcError(call.id, -32601);
      }
    },
    error(error: SimulatedError, { call }) {
      const id = call.kind === 'call' || call.kind === 'invalid' ? call.id : null;
      return rpcError(id, error.code, error.message, error.status);
    },
    throttled() {
      // SimplyBook documents no rate limit and no throttling answer: the generic 429.
      return { reply: tooManyRequests() };
    },
    revokeCredentials() {
      tokens.revoke();
    },
  };
}
