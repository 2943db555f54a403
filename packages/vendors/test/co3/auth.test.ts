import { type AttemptRequest, createEngine, type TriageEvent } from '@triage/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Co3AuthError, co3, co3Auth, isCo3AuthError } from '../../src/co3/index.ts';
import { parseXml } from '../../src/xml/parse-xml.ts';
import { ACCOUNT, type FakeCo3, md5, startFakeCo3 } from './fake-co3-server.ts';

let server: FakeCo3;
let now: number;
const clock = { now: () => now };

beforeEach(async () => {
  server = await startFakeCo3();
  now = 1_000_000;
});
afterEach(async () => {
  await server.close();
});

function auth(extra: Partial<Parameters<typeof co3Auth>[0]> = {}) {
  return co3Auth({
    apiKey: ACCOUNT.apiKey,
    username: ACCOUNT.username,
    password: ACCOUNT.password,
    md5,
    url: `${server.origin}/api/authenticate`,
    clock,
    ...extra,
  });
}

const getContact =
  '<?xml version="1.0" encoding="utf-8"?>\n<command>\n    <getContact>\n' +
  `        <api_key><![CDATA[${ACCOUNT.apiKey}]]></api_key>\n` +
  '        <contact_id>21</contact_id>\n    </getContact>\n</command>\n';

function attempt(body?: string | Uint8Array): AttemptRequest {
  const request: AttemptRequest = {
    method: 'POST',
    url: new URL(`${server.origin}/api/crm`),
    headers: new Headers({ 'content-type': 'text/xml; charset=utf-8', 'content-length': '999' }),
  };
  if (body !== undefined) request.body = body;
  return request;
}

/** The session key a request body carries, read back with the parser. */
function sessionKeyOf(body: string | Uint8Array | undefined): unknown {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  const root = parseXml(text);
  const value = root?.value as { getContact?: { session_key?: unknown } } | undefined;
  return value?.getContact?.session_key;
}

const authenticateCalls = () => server.requests.filter((r) => r.path === '/api/authenticate');

/** Everything an error could show: message, stack, JSON, cause. */
function everythingAbout(error: unknown): string {
  const e = error as Error & { cause?: unknown };
  const cause = e.cause as Error | undefined;
  return [String(e), e.message, e.stack, JSON.stringify(e), String(cause), cause?.stack].join('\n');
}

function expectNoSecrets(error: unknown): void {
  const text = everythingAbout(error);
  for (const secret of [
    ACCOUNT.apiKey,
    ACCOUNT.password,
    md5(ACCOUNT.password),
    ...server.issued,
  ]) {
    expect(text).not.toContain(secret);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('co3Auth.refresh', () => {
  it('POSTs the API key, user name and MD5 password as XML and keeps the key', async () => {
    const hooks = auth();
    await hooks.refresh();
    const [call] = authenticateCalls();
    expect(call?.method).toBe('POST');
    expect(call?.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(parseXml(call?.body ?? '')).toStrictEqual({
      name: 'command',
      value: {
        authenticate: {
          api_key: ACCOUNT.apiKey,
          username: ACCOUNT.username,
          password: md5(ACCOUNT.password),
        },
      },
    });
    expect(call?.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const request = attempt(getContact);
    await hooks.apply(request);
    expect(sessionKeyOf(request.body)).toBe('sess-1');
    expect(authenticateCalls()).toHaveLength(1);
  });

  it('accepts an already hashed password', async () => {
    const hooks = co3Auth({
      apiKey: ACCOUNT.apiKey,
      username: ACCOUNT.username,
      passwordMd5: md5(ACCOUNT.password),
      url: `${server.origin}/api/authenticate`,
    });
    await hooks.refresh();
    expect(server.issued).toStrictEqual(['sess-1']);
  });

  it('takes globalThis.fetch as its fetch', async () => {
    await auth({ fetch: globalThis.fetch }).refresh();
    expect(server.issued).toStrictEqual(['sess-1']);
  });

  it('shares one authenticate call between concurrent refreshes and applies', async () => {
    const hooks = auth();
    const requests = [attempt(getContact), attempt(getContact), attempt(getContact)];
    await Promise.all([hooks.refresh(), ...requests.map((r) => hooks.apply(r)), hooks.refresh()]);
    expect(authenticateCalls()).toHaveLength(1);
    for (const request of requests) expect(sessionKeyOf(request.body)).toBe('sess-1');
  });

  it.each([
    [
      'a <session_key> one level deeper',
      '<response><authenticate><session_key>sess-deep</session_key></authenticate></response>',
      'sess-deep',
    ],
    [
      'a root holding only the key',
      '<?xml version="1.0"?><session_key>sess-root</session_key>',
      'sess-root',
    ],
    ['the key as the whole body', 'sess-bare\n', 'sess-bare'],
  ])('reads the key from %s', async (_, body, key) => {
    server.authenticateWith({ status: 200, contentType: 'text/xml', body });
    const hooks = auth();
    const request = attempt(getContact);
    await hooks.apply(request);
    expect(sessionKeyOf(request.body)).toBe(key);
  });
});

describe('co3Auth.apply', () => {
  it('renews the key before its 5 minutes are up, and not sooner', async () => {
    const hooks = auth();
    const keys: unknown[] = [];
    for (const at of [0, 100_000, 269_999, 270_000, 270_001, 539_999, 540_000]) {
      now = 1_000_000 + at;
      const request = attempt(getContact);
      await hooks.apply(request);
      keys.push(sessionKeyOf(request.body));
    }
    expect(keys).toStrictEqual([
      'sess-1',
      'sess-1',
      'sess-1',
      'sess-2',
      'sess-2',
      'sess-2',
      'sess-3',
    ]);
  });

  it('honours a custom lifetime and margin', async () => {
    const hooks = auth({ sessionLifetimeMs: 60_000, renewMarginMs: 10_000 });
    await hooks.apply(attempt(getContact));
    now += 49_999;
    await hooks.apply(attempt(getContact));
    expect(server.issued).toHaveLength(1);
    now += 1;
    await hooks.apply(attempt(getContact));
    expect(server.issued).toHaveLength(2);
  });

  it('puts the key after <api_key>, keeps the rest of the body, drops Content-Length', async () => {
    const hooks = auth();
    const request = attempt(getContact);
    await hooks.apply(request);
    expect(request.body).toBe(
      getContact.replace('</api_key>', '</api_key><session_key><![CDATA[sess-1]]></session_key>'),
    );
    expect(request.headers.get('content-length')).toBeNull();
    expect(request.headers.get('content-type')).toBe('text/xml; charset=utf-8');
  });

  it('replaces a session key already in the body', async () => {
    const hooks = auth();
    const stale = getContact.replace(
      '</api_key>',
      '</api_key>\n        <session_key><![CDATA[sess-old]]></session_key>',
    );
    const request = attempt(stale);
    await hooks.apply(request);
    expect(request.body).toBe(stale.replace('sess-old', 'sess-1'));
  });

  it('rewrites a bytes body as bytes', async () => {
    const hooks = auth();
    const request = attempt(new TextEncoder().encode(getContact));
    await hooks.apply(request);
    expect(request.body).toBeInstanceOf(Uint8Array);
    expect(sessionKeyOf(request.body)).toBe('sess-1');
  });

  it.each([
    ['no body', undefined, 'CO3 request has no XML body to carry the session key'],
    [
      'a JSON body',
      '{"command":{"getContact":{}}}',
      'CO3 request body is not an XML document; the session key cannot be added',
    ],
    [
      'truncated XML',
      '<command><getContact>',
      'CO3 request body is not an XML document; the session key cannot be added',
    ],
  ])('refuses %s with a Co3AuthError', async (_, body, message) => {
    const hooks = auth();
    const error = await rejection(hooks.apply(attempt(body)));
    expect(isCo3AuthError(error)).toBe(true);
    expect((error as Error).message).toBe(message);
    expectNoSecrets(error);
  });
});

describe('co3Auth failures never show a credential', () => {
  it('wrong password: code 7, as a Co3AuthError', async () => {
    const hooks = auth({ password: 'wrong-password-123' });
    const error = await rejection(hooks.refresh());
    expect(error).toBeInstanceOf(Co3AuthError);
    expect(error).toMatchObject({
      name: 'Co3AuthError',
      code: '7',
      status: 200,
      message: 'CO3 authenticate refused with code 7 (Authentication error)',
    });
    expectNoSecrets(error);
    expect(everythingAbout(error)).not.toContain('wrong-password-123');
    expect(everythingAbout(error)).not.toContain(md5('wrong-password-123'));
  });

  it('wrong API key: code 5; apply() fails the same way', async () => {
    const hooks = auth({ apiKey: 'ak-wrong-0000' });
    const error = await rejection(hooks.apply(attempt(getContact)));
    expect(error).toMatchObject({ code: '5', status: 200 });
    expect(everythingAbout(error)).not.toContain('ak-wrong-0000');
  });

  it('a description that echoes a credential is redacted', async () => {
    server.authenticateWith({
      status: 200,
      contentType: 'text/xml',
      body: `<response><error><code>5</code><description>Invalid API key ${ACCOUNT.apiKey} for ${md5(ACCOUNT.password)}</description></error></response>`,
    });
    const error = await rejection(auth().refresh());
    expect((error as Error).message).toBe(
      'CO3 authenticate refused with code 5 (Invalid API key [REDACTED] for [REDACTED])',
    );
    expectNoSecrets(error);
  });

  it('an HTML error page: no key, the status in the error', async () => {
    server.authenticateWith({
      status: 502,
      contentType: 'text/html',
      body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
    });
    const error = await rejection(auth().refresh());
    expect(error).toMatchObject({
      status: 502,
      code: undefined,
      message: `CO3 authenticate at ${server.origin}/api/authenticate returned HTTP 502 without a session key`,
    });
  });

  it('a refused connection keeps its cause, which holds no credential', async () => {
    const closed = await startFakeCo3();
    await closed.close();
    const error = await rejection(auth({ url: `${closed.origin}/api/authenticate` }).refresh());
    expect(error).toMatchObject({
      message: `CO3 authenticate request to ${closed.origin}/api/authenticate failed`,
    });
    expect((error as Error).cause).toBeInstanceOf(Error);
    expectNoSecrets(error);
  });

  it('a cause that repeats the request body is left out', async () => {
    const echo = async (_url: string, init: { body: string }) => {
      throw new Error(`could not send ${init.body}`);
    };
    const error = await rejection(auth({ fetch: echo }).refresh());
    expect((error as Error).cause).toBeUndefined();
    expectNoSecrets(error);
  });

  it('a failed renewal forgets the old key, so the next apply authenticates again', async () => {
    const hooks = auth();
    await hooks.refresh();
    server.authenticateWith({ status: 503, contentType: 'text/plain', body: 'busy' });
    await expect(hooks.refresh()).rejects.toBeInstanceOf(Co3AuthError);
    server.authenticateWith(undefined);
    const request = attempt(getContact);
    await hooks.apply(request);
    expect(sessionKeyOf(request.body)).toBe('sess-2');
  });

  it.each([
    [{}, 'co3Auth: `passwordMd5` (or `password` with `md5`) is required'],
    [{ password: 'p' }, 'co3Auth: `password` needs `md5`; or pass `passwordMd5` instead'],
    [
      { password: 'p', passwordMd5: 'h', md5 },
      'co3Auth: give either `password` or `passwordMd5`, not both',
    ],
  ])('checks its options: %o', (extra, message) => {
    expect(() => co3Auth({ apiKey: 'k', username: 'u', ...extra })).toThrow(new TypeError(message));
  });
});

describe('co3Auth with triage', () => {
  it('an expired key (code 10) is refreshed once and the request sent again', async () => {
    const hooks = auth();
    await hooks.refresh();
    server.expired.add('sess-1');
    const events: TriageEvent[] = [];
    const engine = createEngine({ vendor: co3, auth: hooks, onEvent: (e) => events.push(e) });
    const result = await engine.execute({
      method: 'POST',
      url: `${server.origin}/api/crm`,
      headers: new Headers({ 'content-type': 'text/xml; charset=utf-8' }),
      body: getContact,
      async send(request) {
        const init: RequestInit = { method: request.method, headers: request.headers };
        const body = request.body;
        if (body !== undefined) init.body = typeof body === 'string' ? body : new Uint8Array(body);
        const response = await fetch(request.url, init);
        const text = await response.text();
        return {
          response: text,
          input: { status: response.status, headers: response.headers, body: text },
        };
      },
    });
    expect(parseXml(result)).toStrictEqual({
      name: 'response',
      value: { result: 'OK', contact: { contact_id: '21', method: 'getContact' } },
    });
    const crm = server.requests.filter((r) => r.path === '/api/crm');
    expect(crm.map((r) => sessionKeyOf(r.body))).toStrictEqual(['sess-1', 'sess-2']);
    expect(events.map((e) => e.type)).toStrictEqual(['classified', 'auth-refresh', 'recovered']);
    expect(events[0]).toMatchObject({ classification: { code: '10', refreshable: true } });
  });
});
