import { fonedynamics } from '@triage/vendors/fonedynamics';
import { DEMO_ACCOUNTS } from '../demo-accounts.ts';
import type { ModelAnswer, VendorModel } from '../shared/model.ts';
import { jsonReply, tooManyRequests } from '../shared/reply.ts';
import { isObject, jsonBody, type SimRequest } from '../shared/request.ts';
import type { SimulatedError } from '../types.ts';
import { FONEDYNAMICS_ERRORS, UNAUTHORIZED } from './errors.ts';
import type { FonedynamicsAccount, FonedynamicsSimulatorOptions } from './options.ts';

interface Context {
  readonly request: SimRequest;
  /** From `Authorization: Basic base64(AccountSid:Token)`. */
  readonly accountSid: string | undefined;
  readonly token: string | undefined;
}

interface Message {
  MessageSid: string;
  AccountSid: string;
  PropertySid: string;
  From: string;
  To: string;
  Text: string;
  NumSegments: number;
  Status: string;
  Direction: string;
  Created: number;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const SENDER = /^[A-Za-z0-9 ]{1,11}$/;
const MAX_TEXT = 1600;

/**
 * Fone Dynamics' `{"ResponseStatus":{"ErrorCode","Message","Errors":[{"FieldName",…}]}}`, with
 * `Errors` naming the field when there is one (REST API Errors page).
 */
function fdError(
  code: string,
  options: { message?: string; status?: number; field?: string } = {},
): ModelAnswer {
  const [pageStatus, pageMessage] = FONEDYNAMICS_ERRORS[code] ?? [400, `Error ${code}`];
  const { field } = options;
  const message =
    options.message ?? (field === undefined ? pageMessage : `${pageMessage} Parameter: ${field}.`);
  const errors =
    field === undefined ? [] : [{ ErrorCode: code, FieldName: field, Message: message }];
  return {
    reply: jsonReply(options.status ?? pageStatus, {
      ResponseStatus: { ErrorCode: code, Message: message, Errors: errors },
    }),
    code,
  };
}

/** ServiceStack's answer to a route it has no handler for; its code is not in the table. */
function handlerNotFound(request: SimRequest): ModelAnswer {
  return fdError('NotFound', {
    message: `Handler for Request not found: ${request.method} ${request.path}`,
    status: 404,
  });
}

function basic(request: SimRequest): [string, string] | [undefined, undefined] {
  const header = request.header('authorization');
  if (header === undefined || !/^basic /i.test(header)) return [undefined, undefined];
  let decoded: string;
  try {
    decoded = atob(header.slice(6).trim());
  } catch {
    return [undefined, undefined];
  }
  const colon = decoded.indexOf(':');
  return colon === -1
    ? [undefined, undefined]
    : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/**
 * Fone Dynamics REST v2 with HTTP Basic `AccountSid:Token`: send an SMS
 * (`POST /v2/Properties/{PropertySid}/Messages`, as the official C# SDK does), read it back
 * (`GET …/Messages/{MessageSid}`), and read the account (`GET /v2/Accounts/{AccountSid}`).
 */
export function createFonedynamicsModel(
  options: FonedynamicsSimulatorOptions,
): VendorModel<Context> {
  const accounts = new Map<string, FonedynamicsAccount>(
    (options.accounts ?? [DEMO_ACCOUNTS.fonedynamics]).map((a) => [a.accountSid, a]),
  );
  const messages = new Map<string, Message>();
  let nextMessage = 0;

  function propertiesOf(account: FonedynamicsAccount): readonly string[] {
    return account.properties ?? [DEMO_ACCOUNTS.fonedynamics.propertySid];
  }

  function send(
    request: SimRequest,
    account: FonedynamicsAccount,
    propertySid: string,
  ): ModelAnswer {
    const body = jsonBody(request);
    if (!isObject(body)) return fdError('PARAMETER_REQUIRED', { field: 'To' });
    const { To: to, Text: text, From: from } = body;
    if (typeof to !== 'string' || to === '') return fdError('PARAMETER_REQUIRED', { field: 'To' });
    if (!E164.test(to)) return fdError('INVALID_PHONENUMBER_FORMAT', { field: 'To' });
    if (typeof text !== 'string' || text === '') {
      return fdError('PARAMETER_REQUIRED', { field: 'Text' });
    }
    if (text.length > MAX_TEXT) return fdError('PARAMETER_TOO_LONG', { field: 'Text' });
    if (from !== undefined && from !== null && from !== '') {
      if (typeof from !== 'string' || !(E164.test(from) || SENDER.test(from))) {
        return fdError('PARAMETER_INVALID', { field: 'From' });
      }
    }
    nextMessage += 1;
    const message: Message = {
      MessageSid: `MS${nextMessage.toString(16).padStart(32, '0')}`,
      AccountSid: account.accountSid,
      PropertySid: propertySid,
      From: typeof from === 'string' ? from : '',
      To: to,
      Text: text,
      NumSegments: Math.max(1, Math.ceil(text.length / 153)),
      Status: 'QUEUED',
      Direction: 'OUTBOUND',
      Created: 0,
    };
    messages.set(message.MessageSid, message);
    return { reply: jsonReply(200, { Message: message }), write: true };
  }

  return {
    vendor: 'fonedynamics',
    profile: fonedynamics,
    defaultBaseUrl: 'https://api.fonedynamics.com',
    authEndpoint: false,
    read(request) {
      const [accountSid, token] = basic(request);
      return { request, accountSid, token };
    },
    endpoint({ request }) {
      return request.path.startsWith('/v2/') ? 'api' : undefined;
    },
    account({ accountSid }) {
      return accountSid ?? '';
    },
    authenticate() {
      return fdError('FORBIDDEN');
    },
    serve({ request, accountSid, token }) {
      const account = accountSid === undefined ? undefined : accounts.get(accountSid);
      if (account === undefined || account.token !== token) {
        return fdError(UNAUTHORIZED[0], { message: UNAUTHORIZED[1], status: 401 });
      }
      const accountPath = /^\/v2\/Accounts\/([^/]+)$/.exec(request.path);
      if (accountPath !== null && request.method === 'GET') {
        if (decodeURIComponent(accountPath[1] ?? '') !== account.accountSid) {
          return fdError('ACCOUNT_NOT_FOUND');
        }
        return {
          reply: jsonReply(200, {
            Account: {
              AccountSid: account.accountSid,
              Name: 'Simulated account',
              Status: 'ACTIVE',
            },
          }),
        };
      }
      const messagesPath = /^\/v2\/Properties\/([^/]+)\/Messages(?:\/([^/]+))?$/.exec(request.path);
      if (messagesPath === null) return handlerNotFound(request);
      const propertySid = decodeURIComponent(messagesPath[1] ?? '');
      if (!propertiesOf(account).includes(propertySid)) return fdError('PROPERTY_NOT_FOUND');
      const messageSid = messagesPath[2];
      if (messageSid === undefined) {
        return request.method === 'POST'
          ? send(request, account, propertySid)
          : handlerNotFound(request);
      }
      const message = messages.get(decodeURIComponent(messageSid));
      if (
        request.method !== 'GET' ||
        message === undefined ||
        message.PropertySid !== propertySid
      ) {
        return fdError('PARAMETER_INVALID', { field: 'MessageSid' });
      }
      return { reply: jsonReply(200, { Message: message }) };
    },
    error(error: SimulatedError) {
      const extra: { message?: string; status?: number; field?: string } = {};
      if (error.message !== undefined) extra.message = error.message;
      if (error.status !== undefined) extra.status = error.status;
      if (error.field !== undefined) extra.field = error.field;
      return fdError(String(error.code), extra);
    },
    throttled() {
      // Fone Dynamics documents no rate limit and no throttling answer: the generic 429.
      return { reply: tooManyRequests() };
    },
    revokeCredentials() {
      // HTTP Basic credentials are static: nothing is issued.
    },
  };
}
