import { isVendorError, type TriageEvent, type VendorError } from '@triage/core';
import { createManualClock, type ManualClock } from '@triage/testing';
import { voipnow } from '@triage/vendors';
import { expect, vi } from 'vitest';
import { expectNoSecrets, SECRETS, secretHeaders, withApiKey } from '../support/secret-scan.ts';
import type { Driver } from './drivers/driver.ts';
import { CLOCK_START, type Scenario } from './scenarios.ts';
import type { Transport, TransportServer } from './transport.ts';

/** Scenarios and checks shared by the Node and the browser suites. */

async function settle(promise: Promise<unknown>): Promise<{ value?: unknown; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

/** Servers a check started, closed by the suite after each test. */
const open = new Set<TransportServer>();

export async function closeServers(): Promise<void> {
  await Promise.all([...open].map((server) => server.close()));
  open.clear();
}

async function startServer(
  transport: Transport,
  ...args: Parameters<Transport['start']>
): Promise<TransportServer> {
  const server = await transport.start(...args);
  open.add(server);
  return server;
}

/** Runs one scenario table row and checks attempts, delays, events and outcome. */
export async function runScenario(
  driver: Driver,
  transport: Transport,
  scenario: Scenario,
): Promise<void> {
  const server = await startServer(transport, scenario.script, scenario.thereafter);
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
  // Every request carries credentials (Convio's `api_key` in the query, credential headers but
  // across origins), so the secret scan below checks every error and event against real values.
  const request: Parameters<typeof client>[0] = {
    url: withApiKey(`${server.url}/api`),
    method: scenario.method,
    headers: { ...(transport.crossOrigin === true ? {} : secretHeaders()), ...scenario.headers },
  };
  if (scenario.body !== undefined) request.body = scenario.body;
  const { value, error } = await settle(client(request));
  const requests = await server.requests();
  expectNoSecrets({ errors: [error], events });

  expect(requests).toHaveLength(scenario.expect.attempts);
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
  if (scenario.body !== undefined) for (const r of requests) expect(r.body).toBe(scenario.body);
}

/** Ten concurrent requests fail auth, `auth.refresh` runs once, all ten succeed. */
export async function checkSingleFlightRefresh(
  driver: Driver,
  transport: Transport,
): Promise<void> {
  const fresh = `${SECRETS.bearer}-fresh`;
  const server = await startServer(
    transport,
    (req) =>
      req.headers.authorization === `Bearer ${fresh}`
        ? { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }
        : {
            status: 401,
            headers: { 'content-type': 'application/json' },
            body: '{"error":{"code":"expired_token","message":"The access token expired."}}',
          },
    { status: 200 },
  );
  let token: string = SECRETS.bearer;
  const refresh = vi.fn(async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    token = fresh;
  });
  const events: TriageEvent[] = [];
  const client = driver.create({
    vendor: voipnow,
    auth: { refresh, apply: (r) => r.headers.set('authorization', `Bearer ${token}`) },
    onEvent: (event) => events.push(event),
  });
  const url = `${server.url}/uapi/phoneCalls/@me/@self`;
  const results = await Promise.all(
    Array.from({ length: 10 }, () => client({ url, method: 'POST', body: '{"a":1}' })),
  );
  expectNoSecrets({ events });
  expect(results).toEqual(Array(10).fill({ status: 200, text: '{"ok":true}' }));
  expect(refresh).toHaveBeenCalledTimes(1);
  expect(await server.requests()).toHaveLength(20);
}

/** Abort during a backoff wait rejects within 10 ms with the abort reason. */
export async function checkAbortDuringBackoff(driver: Driver, transport: Transport): Promise<void> {
  const server = await startServer(transport, [{ status: 503 }], { status: 200 });
  const events: TriageEvent[] = [];
  const client = driver.create({
    vendor: voipnow,
    retry: { minDelayMs: 10_000, jitter: 'none' },
    onEvent: (e) => events.push(e),
  });
  const controller = new AbortController();
  const pending = settle(
    client({
      url: withApiKey(`${server.url}/x`),
      method: 'GET',
      headers: transport.crossOrigin === true ? {} : secretHeaders(),
      signal: controller.signal,
    }),
  );
  await vi.waitFor(() => expect(events.some((e) => e.type === 'retry')).toBe(true));
  const reason = new Error('caller gave up');
  const abortedAt = performance.now();
  controller.abort(reason);
  const { error } = await pending;
  expect(performance.now() - abortedAt).toBeLessThan(10);
  expect(error).toBe(reason);
  expectNoSecrets({ errors: [error], events });
}

/** A server that never answers: the total deadline ends the request. */
export async function checkTotalDeadline(driver: Driver, transport: Transport): Promise<void> {
  const server = await startServer(transport, [{ hang: true }], { status: 200 });
  const clock = createManualClock({ start: CLOCK_START });
  const events: TriageEvent[] = [];
  const client = driver.create({
    vendor: voipnow,
    clock,
    retry: { maxElapsedMs: 3000 },
    onEvent: (event) => events.push(event),
  });
  const pending = settle(
    client({
      url: withApiKey(`${server.url}/x`),
      method: 'GET',
      headers: transport.crossOrigin === true ? {} : secretHeaders(),
    }),
  );
  await vi.waitFor(async () => expect(await server.requests()).toHaveLength(1));
  await clock.advance(3000);
  const { error } = await pending;
  expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', giveUpReason: 'deadline', attempts: 1 });
  expectNoSecrets({ errors: [error], events });
}
