import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';

/**
 * What the server does with one request.
 *
 * - `ok`: answers `{"ok":true}` (or `body`) with `status`.
 * - `status`: an error status. `executed` says whether the server acted before answering: a 5xx
 *   may have (the worst case is assumed), a 429 or 503-with-Retry-After refusal did not.
 * - `reset-before`: acts, then resets the connection with no answer (a crash after the write).
 * - `reset-mid-body`: acts, sends the headers and half the body, then resets.
 * - `stall-mid-body`: acts, sends the headers and half the body, then sends nothing more.
 * - `delay`: acts, then answers `ok` after `ms` of real time (a slow vendor).
 * - `hang`: acts and never answers.
 */
export type Fault =
  | { kind: 'ok'; status?: number; body?: string }
  | { kind: 'status'; status: number; executed: boolean; headers?: Record<string, string> }
  | { kind: 'reset-before' }
  | { kind: 'reset-mid-body' }
  | { kind: 'stall-mid-body' }
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' };

/** A request the server received, and whether it acted on it (a side effect). */
export interface LedgerEntry {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  fault: Fault['kind'];
  executed: boolean;
  headers: Record<string, string | string[] | undefined>;
  query: string;
  body: string;
}

export interface FaultServer {
  readonly url: string;
  /** Answers requests to `path` with `faults` in order, then with `thereafter`. */
  script(path: string, faults: readonly Fault[], thereafter?: Fault): void;
  /** Every request to `path` (all paths without one). */
  ledger(path?: string): LedgerEntry[];
  /** Side effects on `path`: requests the server acted on. */
  executions(path: string): number;
  close(): Promise<void>;
}

const OK: Fault = { kind: 'ok' };
const OK_BODY = '{"ok":true}';

/**
 * A vendor on 127.0.0.1 that fails on cue and keeps a ledger of side effects: every request it
 * acted on counts, including those whose answer never arrived. "At most once" for a request is
 * `executions(path) <= 1`.
 */
export async function startFaultServer(): Promise<FaultServer> {
  const scripts = new Map<string, { faults: readonly Fault[]; thereafter: Fault; next: number }>();
  const entries: LedgerEntry[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  function answer(req: IncomingMessage, res: ServerResponse, fault: Fault): void {
    const halfBody = (): void => {
      const body = Buffer.from(`{"ok":true,"pad":"${'x'.repeat(4096)}"}`);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(body.byteLength),
      });
      res.write(body.subarray(0, body.byteLength / 2));
    };
    switch (fault.kind) {
      case 'ok': {
        const body = fault.body ?? OK_BODY;
        res.writeHead(fault.status ?? 200, { 'content-type': 'application/json' });
        res.end(body);
        return;
      }
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers });
        res.end(`HTTP ${fault.status}`);
        return;
      case 'reset-before':
        req.socket.resetAndDestroy();
        return;
      case 'reset-mid-body':
        halfBody();
        // Let the first half leave before the reset, so the client sees headers and a cut body.
        setImmediate(() => req.socket.resetAndDestroy());
        return;
      case 'stall-mid-body':
        halfBody();
        return;
      case 'delay': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) answer(req, res, OK);
        }, fault.ms);
        timers.add(timer);
        return;
      }
      case 'hang':
        return;
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const script = scripts.get(url.pathname);
      const fault = script === undefined ? OK : (script.faults[script.next++] ?? script.thereafter);
      const key = req.headers['idempotency-key'];
      entries.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        idempotencyKey: typeof key === 'string' && key !== '' ? key : undefined,
        fault: fault.kind,
        executed: fault.kind !== 'status' || fault.executed,
        headers: { ...req.headers },
        query: url.search,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      answer(req, res, fault);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    script(path, faults, thereafter = OK) {
      scripts.set(path, { faults, thereafter, next: 0 });
    },
    ledger: (path) => entries.filter((entry) => path === undefined || entry.path === path),
    executions: (path) => entries.filter((entry) => entry.path === path && entry.executed).length,
    close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP server that accepts every connection and never reads from it nor answers. */
export interface SilentServer {
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  // Paused on connect: the request's bytes are never read, as from a wedged process.
  const server = createTcpServer({ pauseOnConnect: true }, (socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
