// A custom vendor profile (defineVendor) for a vendor that reports throttling inside HTTP 200
// bodies, used with fetch: a throttled POST is retried safely.
import { defineVendor, isVendorError, type TriageEvent } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { startScriptedServer } from '@triage/testing/node';

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
): Promise<{ result: unknown; events: TriageEvent[]; error?: string }> {
  const rateLimited = {
    headers: { 'content-type': 'application/json' },
    body: '{"error":{"code":"RATE_LIMITED","message":"slow down"}}',
  };
  const server = await startScriptedServer({
    script: [rateLimited, rateLimited],
    thereafter: { headers: { 'content-type': 'application/json' }, body: '{"id":42}' },
  });
  const events: TriageEvent[] = [];
  const fetch = createTriageFetch({
    vendor: acme,
    retry: { retries: 3, minDelayMs: 50 },
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'retry')
        log(`attempt ${event.attempt} failed with ${event.code}; retrying in ${event.delayMs} ms`);
    },
  });
  try {
    const response = await fetch(`${server.url}/contacts`, {
      method: 'POST',
      body: '{"email":"ada@example.com"}',
    });
    const result: unknown = await response.json();
    log(`created: ${JSON.stringify(result)}`);
    return { result, events };
  } catch (error) {
    if (!isVendorError(error)) throw error;
    log(`failed: ${error.message}`);
    return { result: undefined, events, error: error.message };
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
