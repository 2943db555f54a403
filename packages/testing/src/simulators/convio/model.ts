import { convio, FIELD_VALIDATION } from '@triage/vendors/convio';
import { DEMO_ACCOUNTS } from '../demo-accounts.ts';
import type { ModelAnswer, VendorModel } from '../shared/model.ts';
import { jsonReply, type Reply, textReply, tooManyRequests } from '../shared/reply.ts';
import { formParams, type SimRequest } from '../shared/request.ts';
import { type XmlContent, xmlChildren } from '../shared/xml.ts';
import type { SimulatedError } from '../types.ts';
import { CONVIO_MESSAGES, DECLINED } from './errors.ts';
import type { ConvioSimulatorOptions } from './options.ts';

interface Context {
  readonly request: SimRequest;
  readonly params: URLSearchParams;
  /** `CRConsAPI`, `CRDonationAPI`, or undefined for a path Convio does not serve. */
  readonly servlet: string | undefined;
  /** `response_format=json`: JSON (served as text/plain); otherwise XML. */
  readonly json: boolean;
  /** `suppress_response_codes=true`: errors come with HTTP 200. */
  readonly suppress: boolean;
}

interface Constituent {
  cons_id: string;
  primary_email: string;
  first_name: string;
  last_name: string;
}

type Content = { readonly [name: string]: XmlContent };

const SERVLETS: ReadonlySet<string> = new Set(['CRConsAPI', 'CRDonationAPI']);
const NAMESPACE = 'http://convio.com/crm/v1.0';
// luminateExtend's comments (E-62659): the JSON is sent as text/plain.
const JSON_TYPE = 'text/plain;charset=UTF-8';
const XML_TYPE = 'text/xml;charset=UTF-8';
// A test card number the simulator declines, whatever else the form holds.
const DECLINED_CARD = '4000000000000002';

/** A Convio envelope (`errorResponse`, `getConsResponse`, …) in the format the request asked for. */
function envelope(context: Context, status: number, name: string, content: Content): Reply {
  if (context.json) return jsonReply(status, { [name]: content }, JSON_TYPE);
  return textReply(
    status,
    `<?xml version='1.0' encoding='UTF-8'?>\n<${name} xmlns="${NAMESPACE}">${xmlChildren(content)}</${name}>`,
    XML_TYPE,
  );
}

function errorStatus(context: Context, code: string, status: number | undefined): number {
  if (status !== undefined) return status;
  if (code === '302') return 302;
  if (context.suppress) return 200;
  return code === '405' ? 405 : 403;
}

/**
 * A Convio error: `errorResponse` {code, message} (http_status page), or for 101 a
 * `donationResponse.errors` with a `reason` (offlineOrganizationGift page), behind 403 or, with
 * `suppress_response_codes=true`, 200. 302 is the redirect itself.
 */
function convioError(
  context: Context,
  code: string | number,
  options: { message?: string; status?: number; reason?: string; field?: string } = {},
): ModelAnswer {
  const key = String(code);
  const message = options.message ?? CONVIO_MESSAGES[key] ?? `Error ${key}`;
  const status = errorStatus(context, key, options.status);
  if (key === '302') {
    const location = context.params.get('redirect') ?? '/';
    return { reply: { status, headers: { location }, body: '' }, code: key };
  }
  if (key === '101') {
    const errors: Record<string, string> = {
      code: key,
      message,
      reason: options.reason ?? DECLINED,
      pageError: message,
    };
    if (options.field !== undefined) errors.fieldError = options.field;
    return { reply: envelope(context, status, 'donationResponse', { errors }), code: key };
  }
  return { reply: envelope(context, status, 'errorResponse', { code: key, message }), code: key };
}

function readContext(request: SimRequest): Context {
  const params = formParams(request);
  const servlet = /\/site\/([A-Za-z]+)$/.exec(request.path)?.[1];
  return {
    request,
    params,
    servlet: servlet !== undefined && SERVLETS.has(servlet) ? servlet : undefined,
    json: params.get('response_format') === 'json',
    suppress: params.get('suppress_response_codes') === 'true',
  };
}

/**
 * Convio / Luminate Online's client APIs: `CRConsAPI` (`getUser`, `create`, `update`) and
 * `CRDonationAPI` (`donate`), form-encoded POSTs with `api_key`, answering XML by default or JSON
 * (as text/plain) with `response_format=json`.
 */
export function createConvioModel(options: ConvioSimulatorOptions): VendorModel<Context> {
  const apiKeys = new Set((options.accounts ?? [DEMO_ACCOUNTS.convio]).map((a) => a.apiKey));
  const constituents = new Map<string, Constituent>();
  let nextCons = 1000;
  let nextTransaction = 5000;

  function find(params: URLSearchParams): Constituent | undefined {
    const id = params.get('cons_id');
    if (id !== null) return constituents.get(id);
    const email = params.get('primary_email')?.toLowerCase();
    return [...constituents.values()].find((c) => c.primary_email.toLowerCase() === email);
  }

  function constituent(context: Context, method: string): ModelAnswer {
    const { params } = context;
    switch (method) {
      case 'getUser': {
        if (!params.has('cons_id') && !params.has('primary_email')) return convioError(context, 10);
        const found = find(params);
        if (found === undefined) return convioError(context, 16);
        return {
          reply: envelope(context, 200, 'getConsResponse', {
            cons_id: found.cons_id,
            primary_email: found.primary_email,
            name: { first: found.first_name, last: found.last_name },
          }),
        };
      }
      case 'create': {
        const email = params.get('primary_email') ?? '';
        if (email === '') return convioError(context, 10);
        if (find(params) !== undefined) return convioError(context, 11);
        nextCons += 1;
        const created: Constituent = {
          cons_id: String(nextCons),
          primary_email: email,
          first_name: params.get('name.first') ?? '',
          last_name: params.get('name.last') ?? '',
        };
        constituents.set(created.cons_id, created);
        return {
          reply: envelope(context, 200, 'createConsResponse', {
            cons_id: created.cons_id,
            message: 'User created.',
          }),
          write: true,
        };
      }
      case 'update': {
        const id = params.get('cons_id');
        if (id === null) return convioError(context, 10);
        const found = constituents.get(id);
        if (found === undefined) return convioError(context, 16);
        const email = params.get('primary_email');
        if (email !== null) {
          const other = [...constituents.values()].find(
            (c) => c.cons_id !== id && c.primary_email.toLowerCase() === email.toLowerCase(),
          );
          if (other !== undefined) return convioError(context, 13);
          found.primary_email = email;
        }
        found.first_name = params.get('name.first') ?? found.first_name;
        found.last_name = params.get('name.last') ?? found.last_name;
        return {
          reply: envelope(context, 200, 'updateConsResponse', {
            cons_id: found.cons_id,
            message: 'User updated.',
          }),
          write: true,
        };
      }
      default:
        return convioError(context, 17);
    }
  }

  function donate(context: Context): ModelAnswer {
    const { params } = context;
    if (!/^[1-9]\d*$/.test(params.get('form_id') ?? '')) return convioError(context, 102);
    if (!/^[1-9]\d*$/.test(params.get('level_id') ?? '')) return convioError(context, 103);
    const card = (params.get('card_number') ?? '').replace(/[\s-]/g, '');
    if (!/^\d{13,19}$/.test(card)) {
      return convioError(context, 101, {
        reason: FIELD_VALIDATION,
        field: 'Credit card number: please enter a valid card number.',
      });
    }
    if (card === DECLINED_CARD) return convioError(context, 101, { reason: DECLINED });
    const amount = Number(params.get('other_amount') ?? '10');
    const decimal = Number.isFinite(amount) ? amount.toFixed(2) : '10.00';
    nextTransaction += 1;
    return {
      reply: envelope(context, 200, 'donationResponse', {
        donation: {
          confirmation_code: `CONF-${nextTransaction}`,
          transaction_id: String(nextTransaction),
          amount: { decimal, formatted: `$${decimal}` },
        },
      }),
      write: true,
    };
  }

  return {
    vendor: 'convio',
    profile: convio,
    defaultBaseUrl: 'https://secure2.convio.net/demo',
    authEndpoint: false,
    read: readContext,
    endpoint({ servlet }) {
      return servlet === undefined ? undefined : 'api';
    },
    account({ params }) {
      return params.get('api_key') ?? '';
    },
    authenticate(context) {
      return convioError(context, 17);
    },
    serve(context) {
      if (context.request.method !== 'POST') return convioError(context, 405);
      const apiKey = context.params.get('api_key');
      if (apiKey === null || !apiKeys.has(apiKey)) return convioError(context, 2);
      const method = context.params.get('method');
      if (method === null || method === '') return convioError(context, 6);
      if (context.servlet === 'CRDonationAPI') {
        return method === 'donate' ? donate(context) : convioError(context, 17);
      }
      return constituent(context, method);
    },
    error(error: SimulatedError, context) {
      const extra: { message?: string; status?: number; reason?: string; field?: string } = {};
      if (error.message !== undefined) extra.message = error.message;
      if (error.status !== undefined) extra.status = error.status;
      if (error.reason !== undefined) extra.reason = error.reason;
      if (error.field !== undefined) extra.field = error.field;
      return convioError(context, error.code, extra);
    },
    throttled() {
      // Convio documents no rate limit and no throttling answer: the generic 429.
      return { reply: tooManyRequests() };
    },
    revokeCredentials() {
      // Client API calls carry the site's API key; there is nothing issued to revoke.
    },
  };
}
