import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseXml } from '../../src/xml/parse-xml.ts';
import { childOf, isRecord, textOf } from '../../src/xml/tree.ts';

export const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** The account the fake server knows. */
export const ACCOUNT = {
  apiKey: 'ak-4f1e9c2b7d',
  username: 'api-user',
  password: 'Tit0k-Jelszo!',
} as const;

/** One request the server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the server answers `/api/authenticate` with, instead of the normal behaviour. */
export type AuthenticateOverride = { status: number; contentType: string; body: string };

export interface FakeCo3 {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: SeenRequest[];
  /** Session keys the server has issued, in order. */
  readonly issued: string[];
  /** Keys CO3 treats as expired (answered with code 10). */
  readonly expired: Set<string>;
  /** Replace the authenticate answer (for failure tests); `undefined` restores it. */
  authenticateWith(override: AuthenticateOverride | undefined): void;
  close(): Promise<void>;
}

const errorXml = (code: number, description: string): string =>
  '<?xml version="1.0" encoding="utf-8"?>\n<response>\n    <error>\n' +
  `        <code>${code}</code>\n` +
  `        <description><![CDATA[${description}]]></description>\n` +
  '    </error>\n</response>\n';

/** The method element of a CO3 command and its children: `<command><getContact>…`. */
function methodOf(body: string): { name: string; value: Record<string, unknown> } | undefined {
  const root = parseXml(body);
  if (root?.name !== 'command' || !isRecord(root.value)) return undefined;
  const [name, value] = Object.entries(root.value)[0] ?? [];
  return name !== undefined && isRecord(value) ? { name, value } : undefined;
}

/**
 * A small stand-in for co3app.com: `/api/authenticate` checks the API key, user name and MD5
 * password and issues `sess-1`, `sess-2`, …; `/api/crm` wants a known, unexpired session key.
 * Listens on 127.0.0.1, on a port the system picks.
 */
export async function startFakeCo3(): Promise<FakeCo3> {
  const requests: SeenRequest[] = [];
  const issued: string[] = [];
  const expired = new Set<string>();
  let override: AuthenticateOverride | undefined;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      const reply = (status: number, text: string, contentType = 'text/xml; charset=utf-8') => {
        res.writeHead(status, { 'content-type': contentType, connection: 'close' });
        res.end(text);
      };
      const method = methodOf(body);
      if (path === '/api/authenticate') {
        if (override !== undefined) {
          reply(override.status, override.body, override.contentType);
          return;
        }
        if (method?.name !== 'authenticate') return reply(200, errorXml(3, 'Invalid command'));
        if (textOf(childOf(method.value, 'api_key')) !== ACCOUNT.apiKey) {
          return reply(200, errorXml(5, 'Invalid API key'));
        }
        const userOk = textOf(childOf(method.value, 'username')) === ACCOUNT.username;
        const passwordOk = textOf(childOf(method.value, 'password')) === md5(ACCOUNT.password);
        if (!userOk || !passwordOk) return reply(200, errorXml(7, 'Authentication error'));
        const key = `sess-${issued.length + 1}`;
        issued.push(key);
        return reply(
          200,
          `<?xml version="1.0" encoding="utf-8"?>\n<response>\n    <session_key><![CDATA[${key}]]></session_key>\n</response>\n`,
        );
      }
      if (path === '/api/crm') {
        if (method === undefined) return reply(200, errorXml(2, 'XML syntax error'));
        const key = textOf(childOf(method.value, 'session_key'));
        if (key === undefined || !issued.includes(key)) {
          return reply(200, errorXml(6, 'Invalid session key'));
        }
        if (expired.has(key)) {
          return reply(
            200,
            errorXml(10, 'Your session key is expired. Please authenticate again!'),
          );
        }
        return reply(
          200,
          '<?xml version="1.0" encoding="utf-8"?>\n<response>\n    <result>OK</result>\n' +
            `    <contact><contact_id>21</contact_id><method>${method.name}</method></contact>\n</response>\n`,
        );
      }
      reply(404, errorXml(3, 'Invalid command'));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    issued,
    expired,
    authenticateWith(next) {
      override = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
