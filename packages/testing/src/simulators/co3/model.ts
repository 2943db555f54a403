import { co3 } from '@triage/vendors/co3';
import { DEMO_ACCOUNTS } from '../demo-accounts.ts';
import { createCredentialStore } from '../shared/credentials.ts';
import type { ModelAnswer, VendorModel } from '../shared/model.ts';
import { textReply } from '../shared/reply.ts';
import type { SimRequest } from '../shared/request.ts';
import {
  cdata,
  childOf,
  readXml,
  textOf,
  XML_DECLARATION,
  type XmlDocument,
  type XmlNode,
  xmlElement,
} from '../shared/xml.ts';
import type { SimulatedError } from '../types.ts';
import { CO3_DESCRIPTIONS, co3Status } from './errors.ts';
import type { Co3Account, Co3SimulatorOptions } from './options.ts';

interface Context {
  readonly request: SimRequest;
  readonly document: XmlDocument;
  /** The command's method element name (`authenticate`, `setContact`). */
  readonly method: string | undefined;
  readonly params: XmlNode | undefined;
  readonly apiKey: string | undefined;
  readonly sessionKey: string | undefined;
}

type Contact = {
  contact_id: string;
  contact_lastname: string;
  contact_firstname: string;
  contact_firm: string;
  contact_email: string;
};

const XML_TYPE = 'text/xml; charset=utf-8';
const CREDENTIALS: ReadonlySet<string> = new Set(['api_key', 'session_key']);
const CONTACT_FIELDS = [
  'contact_lastname',
  'contact_firstname',
  'contact_firm',
  'contact_email',
] as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function xml(status: number, inner: string): ModelAnswer['reply'] {
  return textReply(status, `${XML_DECLARATION}\n<response>${inner}</response>`, XML_TYPE);
}

/** CO3's error envelope (error-handling page), the description in CDATA as on the page. */
function co3Error(
  code: string | number,
  field?: string,
  message?: string,
  status?: number,
): ModelAnswer {
  const key = String(code);
  let description = message ?? CO3_DESCRIPTIONS[key] ?? `Error ${key}`;
  if (message === undefined && field !== undefined) {
    description += `${description.endsWith(':') ? ' ' : ': '}${field}`;
  }
  return {
    reply: xml(
      status ?? co3Status(key),
      `<error><code>${key}</code><description>${cdata(description)}</description></error>`,
    ),
    code: key,
  };
}

function textIn(node: XmlNode | undefined, name: string): string | undefined {
  return textOf(childOf(node, name));
}

function readContext(request: SimRequest): Context {
  const document = readXml(request.body);
  if (!document.ok) {
    return {
      request,
      document,
      method: undefined,
      params: undefined,
      apiKey: undefined,
      sessionKey: undefined,
    };
  }
  const root = document.value;
  const method =
    typeof root === 'string' ? undefined : Object.keys(root).find((name) => !CREDENTIALS.has(name));
  const params = method === undefined ? undefined : childOf(root, method);
  return {
    request,
    document,
    method,
    params,
    // CO3's samples put both keys in the method element; the root is accepted too.
    apiKey: textIn(params, 'api_key') ?? textIn(root, 'api_key'),
    sessionKey: textIn(params, 'session_key') ?? textIn(root, 'session_key'),
  };
}

/**
 * CO3's XML API: `/api/authenticate` hands out 5-minute session keys; `/api/<module>` serves
 * `getContact`, `getContacts` and `setContact` with `api_key` and `session_key` in the command.
 * Errors are `<response><error><code/><description/></error></response>`, and a refused call
 * does nothing, as CO3 promises.
 */
export function createCo3Model(
  options: Co3SimulatorOptions,
  clock: { now(): number },
): VendorModel<Context> {
  const accounts = new Map<string, Co3Account>(
    (options.accounts ?? [DEMO_ACCOUNTS.co3]).map((account) => [account.apiKey, account]),
  );
  const lifetimeMs = options.sessionLifetimeMs ?? 300_000;
  const sessions = createCredentialStore<string>('co3-session-', clock);
  const contacts = new Map<string, Map<string, Contact>>();
  let nextContact = 100;

  function contactsOf(apiKey: string): Map<string, Contact> {
    let book = contacts.get(apiKey);
    if (book === undefined) {
      book = new Map();
      contacts.set(apiKey, book);
    }
    return book;
  }

  function unreadable(document: XmlDocument): ModelAnswer | undefined {
    if (document.ok) return undefined;
    return co3Error(document.empty ? 1 : 2);
  }

  function setContact(book: Map<string, Contact>, params: XmlNode | undefined): ModelAnswer {
    const id = textIn(params, 'contact_id');
    const values: Partial<Contact> = {};
    for (const field of CONTACT_FIELDS) {
      const value = textIn(params, field);
      if (value !== undefined) values[field] = value;
    }
    if (
      values.contact_email !== undefined &&
      values.contact_email !== '' &&
      !EMAIL.test(values.contact_email)
    ) {
      return co3Error(22);
    }
    let contact: Contact;
    if (id !== undefined && id !== '') {
      if (!/^\d+$/.test(id)) return co3Error(13, 'contact_id');
      const existing = book.get(id);
      if (existing === undefined) return co3Error(201);
      contact = { ...existing, ...values };
    } else {
      if (!values.contact_lastname && !values.contact_firstname && !values.contact_firm) {
        return co3Error(206);
      }
      nextContact += 1;
      contact = {
        contact_id: String(nextContact),
        contact_lastname: '',
        contact_firstname: '',
        contact_firm: '',
        contact_email: '',
        ...values,
      };
    }
    book.set(contact.contact_id, contact);
    return {
      reply: xml(200, `<result>OK</result><contact_id>${contact.contact_id}</contact_id>`),
      write: true,
    };
  }

  function getContact(book: Map<string, Contact>, params: XmlNode | undefined): ModelAnswer {
    const id = textIn(params, 'contact_id');
    if (id === undefined || id === '') return co3Error(4);
    if (!/^\d+$/.test(id)) return co3Error(13, 'contact_id');
    const contact = book.get(id);
    if (contact === undefined) return co3Error(201);
    return { reply: xml(200, xmlElement('contact', { ...contact })) };
  }

  return {
    vendor: 'co3',
    profile: co3,
    defaultBaseUrl: 'https://co3app.com',
    authEndpoint: true,
    read: readContext,
    endpoint({ request }) {
      if (request.path === '/api/authenticate') return 'auth';
      return /^\/api\/[A-Za-z_]+$/.test(request.path) ? 'api' : undefined;
    },
    account({ apiKey, sessionKey }) {
      if (apiKey !== undefined) return apiKey;
      const session = sessions.check(sessionKey);
      return session.state === 'unknown' ? '' : session.account;
    },
    authenticate({ document, method, params, apiKey }) {
      const refused = unreadable(document);
      if (refused !== undefined) return refused;
      if (method !== 'authenticate') return co3Error(3);
      const username = textIn(params, 'username');
      const password = textIn(params, 'password');
      if (apiKey === undefined || username === undefined || password === undefined) {
        return co3Error(4);
      }
      const account = accounts.get(apiKey);
      if (account === undefined) return co3Error(5);
      if (
        account.username !== username ||
        account.passwordMd5.toLowerCase() !== password.toLowerCase()
      ) {
        return co3Error(7);
      }
      const key = sessions.issue(apiKey, lifetimeMs);
      return { reply: xml(200, `<session_key>${cdata(key)}</session_key>`), issued: true };
    },
    serve({ document, method, params, apiKey, sessionKey }) {
      const refused = unreadable(document);
      if (refused !== undefined) return refused;
      if (method === undefined) return co3Error(3);
      if (apiKey !== undefined && !accounts.has(apiKey)) return co3Error(5);
      if (sessionKey === undefined || sessionKey === '') return co3Error(4);
      const session = sessions.check(sessionKey);
      if (session.state === 'unknown') return co3Error(6);
      if (apiKey !== undefined && session.account !== apiKey) return co3Error(6);
      if (session.state === 'expired') return co3Error(10);
      const book = contactsOf(session.account);
      switch (method) {
        case 'setContact':
          return setContact(book, params);
        case 'getContact':
          return getContact(book, params);
        case 'getContacts':
          return {
            reply: xml(
              200,
              xmlElement('contacts', {
                contact: [...book.values()].map((contact) => ({ ...contact })),
              }),
            ),
          };
        default:
          return co3Error(3);
      }
    },
    error(error: SimulatedError) {
      return co3Error(error.code, error.field, error.message, error.status);
    },
    throttled() {
      return co3Error(8);
    },
    revokeCredentials() {
      sessions.revoke();
    },
  };
}
