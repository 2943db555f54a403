import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One scripted answer. */
export interface ScriptedResponse {
  /** @default 200 */
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Wait before answering, in real milliseconds. @default 0 */
  delayMs?: number;
  /**
   * Break the connection: `before` the response (a reset with no answer), or `mid-body` after
   * the headers and half the body.
   */
  reset?: 'before' | 'mid-body';
  /** Accept the request and never answer. */
  hang?: boolean;
}

/** A request the server received. */
export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Options of {@link startScriptedServer}. */
export interface ScriptedServerOptions {
  /** Answers in order: the first request gets the first; a function decides per request. */
  script:
    | readonly ScriptedResponse[]
    | ((request: RecordedRequest, index: number) => ScriptedResponse);
  /**
   * What every request after the script gets.
   * @default { status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } }
   */
  thereafter?: ScriptedResponse;
  /** @default 0 (a free port) */
  port?: number;
  /**
   * Answer CORS preflights (not recorded) and allow every origin, so pages in a browser can call
   * the server.
   * @default false
   */
  cors?: boolean;
}

/** A running scripted server. */
export interface ScriptedServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Closes the server and every open connection. */
  close(): Promise<void>;
}

const SUCCESS: ScriptedResponse = {
  status: 200,
  body: '{"ok":true}',
  headers: { 'content-type': 'application/json' },
};

/**
 * A real HTTP server on 127.0.0.1 that answers a script: "these N responses in order, then
 * succeed". It can reset connections, break off mid-body, hang, and delay.
 *
 * @example
 * ```ts
 * const server = await startScriptedServer({ script: [{ status: 503 }, { status: 503 }] });
 * await fetch(server.url); // 503, then 503, then 200 {"ok":true}
 * await server.close();
 * ```
 */
export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  function pick(request: RecordedRequest, index: number): ScriptedResponse {
    if (typeof options.script === 'function') return options.script(request, index);
    return options.script[index] ?? options.thereafter ?? SUCCESS;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.cors === true) {
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('access-control-expose-headers', '*');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
          'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
          'access-control-max-age': '600',
        });
        res.end();
        return;
      }
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: { ...req.headers },
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const index = requests.push(recorded) - 1;
    const answer = pick(recorded, index);
    if (answer.hang === true) return;
    if (answer.delayMs !== undefined && answer.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, answer.delayMs);
        timers.add(timer);
      });
    }
    if (answer.reset === 'before') {
      req.socket.resetAndDestroy();
      return;
    }
    const body = answer.body ?? '';
    const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
    res.writeHead(answer.status ?? 200, {
      'content-length': String(bytes.byteLength),
      ...answer.headers,
    });
    if (answer.reset === 'mid-body') {
      res.write(bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
      setImmediate(() => req.socket.resetAndDestroy());
      return;
    }
    res.end(bytes);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
