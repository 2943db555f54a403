// triage + ky: a vendor that reports throttling inside HTTP 200 bodies, retried safely.
import { defineVendor, isVendorError, type TriageEvent } from '@triage/core';
import { withTriage } from '@triage/ky';
import { startScriptedServer } from '@triage/testing/node';
import ky from 'ky';

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
): Promise<{ result: unknown; events: TriageEvent[]; requests: number; error?: string }> {
  const server = await startScriptedServer({
    script: [
      {
        headers: { 'content-type': 'application/json' },
        body: '{"error":{"code":"RATE_LIMITED","message":"slow down"}}',
      },
    ],
    thereafter: { headers: { 'content-type': 'application/json' }, body: '{"id":42}' },
  });
  const events: TriageEvent[] = [];
  const api = withTriage(ky.create({ baseUrl: `${server.url}/v1/` }), {
    vendor: acme,
    retry: { retries: 3, minDelayMs: 50 },
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'retry')
        log(`attempt ${event.attempt} failed with ${event.code}; retrying in ${event.delayMs} ms`);
    },
  });
  try {
    const result = await api.post('contacts', { json: { email: 'ada@example.com' } }).json();
    log(`created: ${JSON.stringify(result)}`);
    return { result, events, requests: server.requests.length };
  } catch (error) {
    if (!isVendorError(error)) throw error;
    log(`failed: ${error.message}`);
    return { result: undefined, events, requests: server.requests.length, error: error.message };
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
