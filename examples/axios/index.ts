// triage + axios: a vendor that throttles with HTTP 429 and an error code in the body, retried
// below axios's interceptors so they still run once.
import { attachTriage } from '@triage/axios';
import { defineVendor, isVendorError, type TriageEvent } from '@triage/core';
import { startScriptedServer } from '@triage/testing/node';
import axios from 'axios';

/** A custom vendor profile: errors as `{ "error": { "code": "...", "message": "..." } }`. */
export const acme = defineVendor({
  name: 'acme',
  codes: {
    RATE_LIMITED: {
      category: 'retryable',
      effect: 'none',
      throttle: true,
      reason: 'acme docs: try again shortly',
    },
    BAD_EMAIL: { category: 'validation', reason: 'acme docs: email rejected' },
  },
  detect(response) {
    const body = response.json() as { error?: { code?: string; message?: string } } | undefined;
    const code = body?.error?.code;
    return code === undefined ? undefined : { code, message: body?.error?.message ?? code };
  },
});

/** Runs the example; returns what happened so the example's test can check it. */
export async function main(
  log: (line: string) => void = console.log,
): Promise<{ result: unknown; events: TriageEvent[]; interceptorRuns: number; error?: string }> {
  const server = await startScriptedServer({
    script: [
      {
        status: 429,
        headers: { 'content-type': 'application/json' },
        body: '{"error":{"code":"RATE_LIMITED","message":"slow down"}}',
      },
    ],
    thereafter: { headers: { 'content-type': 'application/json' }, body: '{"id":42}' },
  });
  const events: TriageEvent[] = [];
  const api = axios.create({ baseURL: server.url });
  let interceptorRuns = 0;
  api.interceptors.request.use((config) => {
    interceptorRuns++;
    return config;
  });
  const detach = attachTriage(api, {
    vendor: acme,
    retry: { retries: 3, minDelayMs: 50 },
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'retry')
        log(`attempt ${event.attempt} failed with ${event.code}; retrying in ${event.delayMs} ms`);
    },
  });
  try {
    // POST is not idempotent, but a throttled request never took effect: safe to send again.
    const { data } = await api.post('/contacts', { email: 'ada@example.com' });
    log(`created: ${JSON.stringify(data)} (request interceptor ran ${interceptorRuns} time)`);
    return { result: data, events, interceptorRuns };
  } catch (error) {
    if (!isVendorError(error)) throw error;
    log(`failed: ${error.message}`);
    return { result: undefined, events, interceptorRuns, error: error.message };
  } finally {
    detach();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
