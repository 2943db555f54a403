import { voipnow } from '@triage/vendors/voipnow';
import { DEMO_ACCOUNTS } from '../demo-accounts.ts';
import { createCredentialStore } from '../shared/credentials.ts';
import type { ModelAnswer, VendorModel } from '../shared/model.ts';
import { JSON_TYPE, jsonReply, tooManyRequests } from '../shared/reply.ts';
import {
  formParams,
  isObject,
  type JsonObject,
  jsonBody,
  type SimRequest,
} from '../shared/request.ts';
import type { SimulatedError } from '../types.ts';
import { VOIPNOW_ERRORS } from './errors.ts';
import type { VoipnowSimulatorOptions } from './options.ts';

interface Context {
  readonly request: SimRequest;
  readonly bearer: string | undefined;
}

interface CallEvent {
  id: number;
  type: string;
  method: string;
  url: string;
  note: string;
  status: number;
}

const CALLS = '/uapi/phoneCalls/@me/simple';
const EVENTS = '/uapi/phoneCallEvents/@me/@self';
const NUMBER = /^[0-9*+#]{3,32}$/;
// The simulator's set of event types; the UnifiedAPI pages name no complete list.
const EVENT_TYPES: ReadonlySet<string> = new Set(['dial-in', 'dial-out', 'answer', 'hangup']);
const CHALLENGE = { 'www-authenticate': 'Bearer realm="UnifiedAPI"' };

/** UnifiedAPI's `{"error":{"code","message"}}` with the status the page gives the code. */
function uapiError(code: string, message?: string, status?: number): ModelAnswer {
  const [pageStatus, pageMessage] = VOIPNOW_ERRORS[code] ?? [400, `Error ${code}`];
  const finalStatus = status ?? pageStatus;
  return {
    reply: jsonReply(
      finalStatus,
      { error: { code, message: message ?? pageMessage } },
      JSON_TYPE,
      finalStatus === 401 ? CHALLENGE : {},
    ),
    code,
  };
}

/** RFC 6749 §5.2: the token endpoint's own error shape. */
function oauthError(status: number, error: string, description: string): ModelAnswer {
  return {
    reply: jsonReply(status, { error, error_description: description }, JSON_TYPE),
    code: error,
  };
}

function ok(value: unknown): ModelAnswer {
  return { reply: jsonReply(200, value, JSON_TYPE) };
}

function page(entries: readonly unknown[]): ModelAnswer {
  return ok({
    paging: { startIndex: 0, itemsPerPage: entries.length, totalResults: entries.length },
    entry: entries,
  });
}

function basicCredentials(request: SimRequest): [string, string] | undefined {
  const header = request.header('authorization');
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  let decoded: string;
  try {
    decoded = atob(header.slice(6).trim());
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * 4PSA VoipNow UnifiedAPI: OAuth 2.0 `client_credentials` at `/oauth/token.php`; phone calls
 * (`GET`/`POST /uapi/phoneCalls/@me/simple`) and phone call events (`/uapi/phoneCallEvents/@me/
 * @self[/id]`: GET, POST, PUT, DELETE) with `Authorization: Bearer`. Every other `/uapi` call is
 * 501 `not_implemented`.
 */
export function createVoipnowModel(
  options: VoipnowSimulatorOptions,
  clock: { now(): number },
): VendorModel<Context> {
  const secrets = new Map(
    (options.accounts ?? [DEMO_ACCOUNTS.voipnow]).map((a) => [a.clientId, a.clientSecret]),
  );
  const expiresIn = options.expiresIn ?? 3600;
  const tokens = createCredentialStore<string>('uapi-token-', clock);
  const calls: { id: string; client: string; source: string; destination: string }[] = [];
  const events = new Map<number, CallEvent & { client: string }>();
  let nextId = 0;

  function eventFields(body: JsonObject, partial: boolean): Partial<CallEvent> | ModelAnswer {
    const fields: Partial<CallEvent> = {};
    if (body.type !== undefined || !partial) {
      if (typeof body.type !== 'string' || !EVENT_TYPES.has(body.type)) {
        return uapiError('pce_type_invalid');
      }
      fields.type = body.type;
    }
    if (body.method !== undefined || !partial) {
      const method = typeof body.method === 'string' ? body.method.toUpperCase() : '';
      if (method !== 'GET' && method !== 'POST') return uapiError('pce_method_invalid');
      fields.method = method;
    }
    if (body.url !== undefined || !partial) {
      if (typeof body.url !== 'string' || !/^https?:\/\/\S+$/.test(body.url)) {
        return uapiError('pce_url_invalid');
      }
      fields.url = body.url;
    }
    if (body.note !== undefined) {
      if (typeof body.note !== 'string' || body.note.length > 255) {
        return uapiError('pce_note_invalid');
      }
      fields.note = body.note;
    }
    if (body.status !== undefined) {
      if (body.status !== 0 && body.status !== 1) return uapiError('pce_status_invalid');
      fields.status = body.status;
    }
    return fields;
  }

  function phoneCalls(request: SimRequest, client: string): ModelAnswer {
    if (request.method === 'GET') {
      for (const [name, code] of [
        ['count', 'count_invalid'],
        ['startIndex', 'startindex_invalid'],
      ] as const) {
        const value = request.query.get(name);
        if (value !== null && !/^\d+$/.test(value)) return uapiError(code);
      }
      return page(
        calls
          .filter((call) => call.client === client)
          .map((call) => ({
            id: call.id,
            phoneCallView: [{ source: [call.source], destination: [call.destination] }],
          })),
      );
    }
    if (request.method !== 'POST') return uapiError('not_implemented');
    const body = jsonBody(request);
    const view = isObject(body) ? firstOf(body.phoneCallView) : undefined;
    const source = isObject(view) ? firstOf(view.source) : undefined;
    const destination = isObject(view) ? firstOf(view.destination) : undefined;
    if (typeof source !== 'string' || !NUMBER.test(source)) return uapiError('pc_source_invalid');
    if (typeof destination !== 'string' || !NUMBER.test(destination)) {
      return uapiError('pc_destination_invalid');
    }
    nextId += 1;
    const id = nextId.toString(16).padStart(6, '0');
    calls.push({ id, client, source, destination });
    return { ...ok({ id }), write: true };
  }

  function callEvents(request: SimRequest, client: string, rest: string): ModelAnswer {
    if (rest === '') {
      if (request.method === 'GET') {
        return page(
          [...events.values()]
            .filter((event) => event.client === client)
            .map(({ client: _owner, ...event }) => event),
        );
      }
      if (request.method !== 'POST') return uapiError('pce_method_invalid');
      const body = jsonBody(request);
      const fields = eventFields(isObject(body) ? body : {}, false);
      if ('reply' in fields) return fields;
      nextId += 1;
      const event = { id: nextId, type: '', method: '', url: '', note: '', status: 1, ...fields };
      events.set(event.id, { ...event, client });
      return { ...ok({ id: event.id }), write: true };
    }
    const id = /^\/(\d+)$/.exec(rest)?.[1];
    const event = id === undefined ? undefined : events.get(Number(id));
    if (event === undefined || event.client !== client) return uapiError('pce_id_invalid');
    const { client: _owner, ...shown } = event;
    switch (request.method) {
      case 'GET':
        return ok(shown);
      case 'PUT': {
        const body = jsonBody(request);
        const fields = eventFields(isObject(body) ? body : {}, true);
        if ('reply' in fields) return fields;
        Object.assign(event, fields);
        const { client: _client, ...updated } = event;
        return { ...ok(updated), write: true };
      }
      case 'DELETE':
        events.delete(event.id);
        return { reply: { status: 204, headers: {}, body: '' }, write: true };
      default:
        return uapiError('pce_method_invalid');
    }
  }

  return {
    vendor: 'voipnow',
    profile: voipnow,
    defaultBaseUrl: 'https://voipnow.example.com',
    authEndpoint: true,
    read(request) {
      const header = request.header('authorization');
      const bearer =
        header !== undefined && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
      return { request, bearer };
    },
    endpoint({ request }) {
      if (request.path === '/oauth/token.php') return 'auth';
      return request.path.startsWith('/uapi/') ? 'api' : undefined;
    },
    account({ bearer }) {
      const token = tokens.check(bearer);
      return token.state === 'unknown' ? '' : token.account;
    },
    authenticate({ request }) {
      if (request.method !== 'POST') {
        return oauthError(400, 'invalid_request', 'The request method must be POST');
      }
      const params = formParams(request);
      if (params.get('grant_type') !== 'client_credentials') {
        return oauthError(400, 'unsupported_grant_type', 'The grant type is not supported');
      }
      const [clientId, clientSecret] = basicCredentials(request) ?? [
        params.get('client_id') ?? '',
        params.get('client_secret') ?? '',
      ];
      if (secrets.get(clientId) !== clientSecret || clientSecret === '') {
        return oauthError(401, 'invalid_client', 'Client authentication failed');
      }
      const accessToken = tokens.issue(clientId, expiresIn * 1000);
      return {
        reply: jsonReply(
          200,
          { access_token: accessToken, expires_in: expiresIn, token_type: 'Bearer', scope: null },
          JSON_TYPE,
          { 'cache-control': 'no-store' },
        ),
        issued: true,
      };
    },
    serve({ request, bearer }) {
      if (bearer === undefined || bearer === '') return uapiError('unauthorized');
      const token = tokens.check(bearer);
      if (token.state === 'unknown') return uapiError('access_denied');
      if (token.state === 'expired') return uapiError('expired_token');
      if (request.path === CALLS) return phoneCalls(request, token.account);
      if (request.path === EVENTS || request.path.startsWith(`${EVENTS}/`)) {
        return callEvents(request, token.account, request.path.slice(EVENTS.length));
      }
      return uapiError('not_implemented');
    },
    error(error: SimulatedError) {
      return uapiError(String(error.code), error.message, error.status);
    },
    throttled() {
      // UnifiedAPI documents no rate limit and no throttling answer: the generic 429.
      return { reply: tooManyRequests() };
    },
    revokeCredentials() {
      tokens.revoke();
    },
  };
}
