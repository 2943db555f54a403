import {
  type AttemptOutcome,
  createEngine,
  defineVendor,
  type EngineRequest,
  http,
  isVendorError,
  type Jitter,
} from '@triage/core';
import { createManualClock } from '@triage/testing';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

const headerRecord = fc.dictionary(
  fc.oneof(
    fc.constantFrom('retry-after', 'content-type', 'Retry-After', '__proto__', 'constructor'),
    fc.string(),
  ),
  fc.oneof(
    fc.string(),
    fc.integer(),
    fc.array(fc.string()),
    fc.constant(undefined),
    fc.constant(null),
  ),
);
const body = fc.oneof(
  fc.string(),
  fc.json(),
  fc.jsonValue(),
  fc.uint8Array(),
  fc.constant('{"__proto__":{"polluted":true},"error":{"code":"x"}}'),
  fc.constant('\uFEFF{"fault":"BUSY"}'),
  fc.constant(undefined),
);

const acme = defineVendor({
  name: 'acme',
  codes: { BUSY: { category: 'retryable', effect: 'none', reason: 'busy' } },
  detect: (view) => {
    const value = view.json() as { fault?: unknown } | undefined;
    return typeof value?.fault === 'string' ? { code: value.fault } : undefined;
  },
});

describe('properties', () => {
  test('classify never throws on arbitrary status, headers and bodies', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.double()),
        headerRecord,
        body,
        fc.option(fc.string()),
        (status, headers, b, method) => {
          for (const profile of [http, acme]) {
            const c = profile.classify({ status, headers, body: b, method: method ?? undefined });
            if (c !== undefined)
              expect(['retryable', 'auth', 'validation', 'fatal']).toContain(c.category);
          }
        },
      ),
      { numRuns: 500 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('classify never throws on arbitrary thrown values', () => {
    fc.assert(
      fc.property(fc.anything(), (error) => {
        const c = http.classify({ error });
        expect(c?.category === 'retryable' || c?.category === 'fatal').toBe(true);
      }),
    );
  });

  test('attempts never exceed retries + 1 plus one auth retry; delays stay within maxDelayMs', async () => {
    const step = fc.constantFrom(
      { status: 200, body: '{"ok":1}' },
      { status: 503, body: '' },
      { status: 429, body: '' },
      { status: 401, body: '' },
      { status: 400, body: '' },
      { status: 200, body: '{"fault":"BUSY"}' },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.constantFrom<Jitter>('full', 'equal', 'decorrelated', 'none'),
        fc.constantFrom('GET', 'POST'),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        async (script, retries, minDelayMs, maxDelayMs, jitter, method, r) => {
          const clock = createManualClock({ autoAdvance: true });
          const engine = createEngine({
            vendor: acme,
            clock,
            random: () => r,
            retry: { retries, minDelayMs, maxDelayMs, jitter },
            auth: { refresh: async () => {} },
          });
          let attempts = 0;
          const request: EngineRequest<unknown> = {
            method,
            url: 'https://x.test/',
            send: async (): Promise<AttemptOutcome<unknown>> => {
              const res = script[Math.min(attempts++, script.length - 1)]!;
              return { response: res, input: res };
            },
          };
          try {
            await engine.execute(request);
          } catch (error) {
            expect(isVendorError(error)).toBe(true);
          }
          expect(attempts).toBeLessThanOrEqual(retries + 2);
          for (const delay of clock.delays) {
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThanOrEqual(maxDelayMs);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
