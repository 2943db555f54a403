import { type HttpHandler, HttpResponse, http } from 'msw';
import type { VendorSimulatorOptions } from '../simulators/options.ts';
import type { Reply } from '../simulators/shared/reply.ts';
import { createSimRequest } from '../simulators/shared/request.ts';
import { createSimulation, type VendorSimulation } from '../simulators/simulation.ts';

/** Options of {@link createVendorHandlers}: a vendor's options, and the URL to intercept. */
export type VendorHandlersOptions = VendorSimulatorOptions & {
  /**
   * The vendor base URL requests go to; every request under it is answered.
   * @default the vendor's production URL: 'https://user-api.simplybook.me', 'https://co3app.com',
   * 'https://secure2.convio.net/demo', 'https://voipnow.example.com', 'https://api.fonedynamics.com'
   * @example baseUrl: 'https://co3.test'
   */
  baseUrl?: string | URL;
};

/** msw handlers that simulate a vendor, with the simulator's controls and counters. */
export interface VendorHandlers extends VendorSimulation {
  /** The base URL the handlers answer under (no trailing slash). */
  readonly baseUrl: string;
  /** Give these to `setupServer(...)` or `setupWorker(...)`. */
  readonly handlers: readonly HttpHandler[];
  /** Clears every timer and ends every waiting request with a network error. */
  dispose(): void;
}

const encoder = new TextEncoder();

function headersOf(reply: Reply, bytes: number): Headers {
  const headers = new Headers(reply.headers);
  headers.set('content-length', String(bytes));
  return headers;
}

/**
 * A body that sends its first half and then fails, as a connection reset mid-body looks to the
 * reader of a fetch response.
 */
function brokenBody(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
    },
    async pull(controller) {
      // After a macrotask, so the headers and the first half are out before the failure.
      await new Promise((resolve) => setTimeout(resolve, 0));
      controller.error(new TypeError('terminated: connection reset mid-body'));
    },
  });
}

/**
 * msw 3 handlers that answer like a vendor: the same simulation as `startVendorSimulator` (wire
 * format, credentials, limits, faults, script, counters), without a server. A reset or a hang
 * that the client abandons is `HttpResponse.error()`, a network error.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { createVendorHandlers } from '@triage/testing/msw';
 *
 * const voipnow = createVendorHandlers({ vendor: 'voipnow', baseUrl: 'https://pbx.test' });
 * const server = setupServer(...voipnow.handlers);
 * server.listen();
 * voipnow.failNext('expired_token');
 * ```
 */
export function createVendorHandlers(options: VendorHandlersOptions): VendorHandlers {
  const simulation = createSimulation(options);
  const base = new URL(String(options.baseUrl ?? simulation.defaultBaseUrl));
  const baseUrl = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;

  const handler = http.all(
    ({ request }) => {
      const url = new URL(request.url);
      return (
        url.origin === base.origin &&
        (url.pathname === base.pathname.replace(/\/+$/, '') ||
          url.pathname.startsWith(
            base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`,
          ))
      );
    },
    async ({ request }) => {
      const simRequest = createSimRequest({
        method: request.method,
        url: new URL(request.url),
        basePath: base.pathname,
        header: (name) => request.headers.get(name) ?? undefined,
        body: await request.text(),
      });
      const delivery = await simulation.handle(simRequest, request.signal);
      if (delivery.kind === 'reset') return HttpResponse.error();
      const { reply } = delivery;
      const bytes = encoder.encode(reply.body);
      const init = { status: reply.status, headers: headersOf(reply, bytes.byteLength) };
      // Statuses without a body (204, 304) cannot carry one, even an empty one.
      if (reply.status === 204 || reply.status === 304) return new HttpResponse(null, init);
      if (delivery.kind === 'mid-body') return new HttpResponse(brokenBody(bytes), init);
      return new HttpResponse(bytes, init);
    },
  );

  return {
    baseUrl,
    handlers: [handler],
    vendor: simulation.vendor,
    profile: simulation.profile,
    counters: simulation.counters,
    failNext: simulation.failNext,
    enqueue: simulation.enqueue,
    queued: simulation.queued,
    resetCounters: simulation.resetCounters,
    revokeCredentials: simulation.revokeCredentials,
    dispose: simulation.dispose,
  };
}
