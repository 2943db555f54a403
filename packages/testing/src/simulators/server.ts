import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { VendorSimulatorOptions } from './options.ts';
import { createSimRequest } from './shared/request.ts';
import { createSimulation, type Delivery, type VendorSimulation } from './simulation.ts';

/** Options of {@link startVendorSimulator}: a vendor's options, and where to listen. */
export type StartVendorSimulatorOptions = VendorSimulatorOptions & {
  /**
   * The port on 127.0.0.1.
   * @default 0 (a free port)
   */
  port?: number;
};

/** A vendor simulator listening on 127.0.0.1. */
export interface VendorSimulator extends VendorSimulation {
  /** `http://127.0.0.1:PORT`: the vendor's base URL (`${url}/login`, `${url}/api/crm`, …). */
  readonly url: string;
  /** Stops: clears every timer, resets waiting requests, and closes every connection. */
  close(): Promise<void>;
}

function headerOf(req: IncomingMessage): (name: string) => string | undefined {
  return (name) => {
    const value = req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  };
}

function write(req: IncomingMessage, res: ServerResponse, delivery: Delivery): void {
  if (delivery.kind === 'reset') {
    req.socket.resetAndDestroy();
    return;
  }
  const { status, headers, body } = delivery.reply;
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...headers, 'content-length': String(bytes.byteLength) });
  if (delivery.kind === 'mid-body') {
    res.write(bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
    // Let the first half leave before the reset, so the client sees headers and a cut body.
    setImmediate(() => req.socket.resetAndDestroy());
    return;
  }
  res.end(bytes);
}

/**
 * Starts a simulated vendor on 127.0.0.1: the vendor's real wire format (status, content type,
 * JSON or XML envelope) for successes and for every code of its table, its credential flow with
 * expiring keys or tokens, per-account concurrency and rate limits, service time, faults, and a
 * script of answers. Node only.
 *
 * @example
 * ```ts
 * const co3 = await startVendorSimulator({ vendor: 'co3', concurrency: 4, serviceTimeMs: 20 });
 * co3.failNext(8); // the next API call is throttled
 * // … run the code under test against `${co3.url}/api/crm` …
 * expect(co3.counters.rejectedByCode).toEqual({ '8': 1 });
 * await co3.close();
 * ```
 */
export async function startVendorSimulator(
  options: StartVendorSimulatorOptions,
): Promise<VendorSimulator> {
  const simulation = createSimulation(options);
  const sockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    // A hang ends when the client goes away; service never does.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const request = createSimRequest({
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', 'http://127.0.0.1'),
      header: headerOf(req),
      body: Buffer.concat(chunks).toString('utf8'),
    });
    const delivery = await simulation.handle(request, gone.signal);
    if (res.destroyed) return;
    write(req, res, delivery);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    vendor: simulation.vendor,
    profile: simulation.profile,
    counters: simulation.counters,
    failNext: simulation.failNext,
    enqueue: simulation.enqueue,
    queued: simulation.queued,
    resetCounters: simulation.resetCounters,
    revokeCredentials: simulation.revokeCredentials,
    close() {
      closing ??= new Promise<void>((resolve) => {
        simulation.dispose();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
