import { isVendorError, type TriageEvent, type VendorError } from '@triage/core';
import { createManualClock, type ManualClock } from '@triage/testing';
import type { ScriptedServer } from '@triage/testing/node';
import { voipnow } from '@triage/vendors';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { drivers } from './drivers.ts';
import { CLOCK_START, scenarios } from './scenarios.ts';
import { loopback, msw, type Transport } from './transports.ts';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function settle(promise: Promise<unknown>): Promise<{ value?: unknown; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

describe.each<Transport>([loopback, msw])('conformance on $name', (transport) => {
  describe.each(drivers)('$name adapter', (driver) => {
    test.each(scenarios)('$name', async (scenario) => {
      server = await transport.start(scenario.script, scenario.thereafter);
      const clock: ManualClock = createManualClock({
        autoAdvance: scenario.clock !== 'manual',
        start: CLOCK_START,
      });
      const events: TriageEvent[] = [];
      const client = driver.create({
        vendor: scenario.vendor,
        clock,
        random: () => 0.5,
        onEvent: (event) => events.push(event),
        ...scenario.options,
      });
      const request: Parameters<typeof client>[0] = {
        url: `${server.url}/api`,
        method: scenario.method,
      };
      if (scenario.body !== undefined) request.body = scenario.body;
      if (scenario.headers !== undefined) request.headers = scenario.headers;
      const { value, error } = await settle(client(request));

      expect(server.requests).toHaveLength(scenario.expect.attempts);
      expect(events.filter((e) => e.type === 'retry').map((e) => e.delayMs)).toEqual(
        scenario.expect.delays,
      );
      if (scenario.expect.events !== undefined)
        expect(events.map((e) => e.type)).toEqual(scenario.expect.events);
      if (scenario.expect.error === undefined) {
        if (error !== undefined) throw error;
        expect(value).toEqual({ status: 200, text: scenario.expect.body });
      } else {
        expect(isVendorError(error), String(error)).toBe(true);
        expect(error).toMatchObject(scenario.expect.error);
        expect((error as VendorError).cause).toBeDefined();
      }
      // Every retried request carried the same body.
      if (scenario.body !== undefined)
        for (const r of server.requests) expect(r.body).toBe(scenario.body);
    });

    test('auth refreshable: ten concurrent requests fail, refresh runs once, all ten succeed', async () => {
      server = await transport.start(
        (req) =>
          req.headers.authorization === 'Bearer fresh'
            ? { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }
            : {
                status: 401,
                headers: { 'content-type': 'application/json' },
                body: '{"error":{"code":"expired_token","message":"The access token expired."}}',
              },
        { status: 200 },
      );
      let token = 'stale';
      const refresh = vi.fn(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        token = 'fresh';
      });
      const client = driver.create({
        vendor: voipnow,
        auth: { refresh, apply: (r) => r.headers.set('authorization', `Bearer ${token}`) },
      });
      const url = `${server.url}/uapi/phoneCalls/@me/@self`;
      const results = await Promise.all(
        Array.from({ length: 10 }, () => client({ url, method: 'POST', body: '{"a":1}' })),
      );
      expect(results).toEqual(Array(10).fill({ status: 200, text: '{"ok":true}' }));
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(server.requests).toHaveLength(20);
    });

    test('abort during a backoff wait rejects within 10 ms with the abort reason', async () => {
      server = await transport.start([{ status: 503 }], { status: 200 });
      const events: TriageEvent[] = [];
      const client = driver.create({
        vendor: voipnow,
        retry: { minDelayMs: 10_000, jitter: 'none' },
        onEvent: (e) => events.push(e),
      });
      const controller = new AbortController();
      const pending = settle(
        client({ url: `${server.url}/x`, method: 'GET', signal: controller.signal }),
      );
      await vi.waitFor(() => expect(events.some((e) => e.type === 'retry')).toBe(true));
      const reason = new Error('caller gave up');
      const start = performance.now();
      controller.abort(reason);
      const { error } = await pending;
      expect(performance.now() - start).toBeLessThan(10);
      expect(error).toBe(reason);
    });

    test('total deadline: a server that never answers fails with DEADLINE_EXCEEDED', async () => {
      server = await transport.start([{ hang: true }], { status: 200 });
      const clock = createManualClock({ start: CLOCK_START });
      const client = driver.create({ vendor: voipnow, clock, retry: { maxElapsedMs: 3000 } });
      const pending = settle(client({ url: `${server.url}/x`, method: 'GET' }));
      await vi.waitFor(() => expect(server?.requests).toHaveLength(1));
      await clock.advance(3000);
      const { error } = await pending;
      expect(error).toMatchObject({
        code: 'DEADLINE_EXCEEDED',
        giveUpReason: 'deadline',
        attempts: 1,
      });
    });
  });
});
