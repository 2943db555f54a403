import { type RecordedRequest, startScriptedServer } from '@triage/testing/node';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import type { Transport } from './transport.ts';

/** A real node:http server on 127.0.0.1. */
export const loopback: Transport = {
  name: 'loopback',
  async start(script, thereafter) {
    const server = await startScriptedServer({ script, thereafter });
    return { url: server.url, requests: async () => server.requests, close: () => server.close() };
  },
};

const MSW_ORIGIN = 'http://vendor.msw.test';

/**
 * The same script answered by msw 3 handlers. Resets become `HttpResponse.error()` (a network
 * error as fetch reports it); hangs become a never-settling resolver.
 */
export const msw: Transport = {
  name: 'msw',
  async start(script, thereafter) {
    const requests: RecordedRequest[] = [];
    const server = setupServer(
      http.all(`${MSW_ORIGIN}/*`, async ({ request }) => {
        const url = new URL(request.url);
        const recorded: RecordedRequest = {
          method: request.method,
          url: url.pathname + url.search,
          headers: Object.fromEntries(request.headers),
          body: await request.text(),
        };
        const index = requests.push(recorded) - 1;
        const answer =
          typeof script === 'function' ? script(recorded, index) : (script[index] ?? thereafter);
        if (answer.hang === true) return new Promise<never>(() => {});
        if (answer.reset !== undefined) return HttpResponse.error();
        if (answer.delayMs !== undefined)
          await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
        return new HttpResponse(answer.body as BodyInit, {
          status: answer.status ?? 200,
          headers: answer.headers ?? {},
        });
      }),
    );
    server.listen({ onUnhandledFrame: 'error' });
    return { url: MSW_ORIGIN, requests: async () => requests, close: async () => server.close() };
  },
};
