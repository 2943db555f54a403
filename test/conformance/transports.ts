import {
  type ScriptedResponse,
  type ScriptedServer,
  type ScriptedServerOptions,
  startScriptedServer,
} from '@triage/testing/node';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';

/** Where a scenario's scripted vendor answers: a real loopback server, or msw interception. */
export interface Transport {
  name: 'loopback' | 'msw';
  start(
    script: ScriptedServerOptions['script'],
    thereafter: ScriptedResponse,
  ): Promise<ScriptedServer>;
}

export const loopback: Transport = {
  name: 'loopback',
  start: (script, thereafter) => startScriptedServer({ script, thereafter }),
};

const MSW_ORIGIN = 'http://vendor.msw.test';

/**
 * The same script answered by msw 3 handlers. Resets become `HttpResponse.error()` (a network
 * error as fetch reports it); hangs become a never-settling resolver.
 */
export const msw: Transport = {
  name: 'msw',
  async start(script, thereafter) {
    const requests: ScriptedServer['requests'] = [];
    const server = setupServer(
      http.all(`${MSW_ORIGIN}/*`, async ({ request }) => {
        const body = await request.text();
        const url = new URL(request.url);
        const recorded = {
          method: request.method,
          url: url.pathname + url.search,
          headers: Object.fromEntries(request.headers),
          body,
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
    server.listen({ onUnhandledRequest: 'error' });
    return {
      url: MSW_ORIGIN,
      requests,
      close: async () => server.close(),
    };
  },
};
