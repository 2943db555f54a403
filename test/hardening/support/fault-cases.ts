import { http, isVendorError, type TriageEvent, type VendorError } from '@triage/core';
import { createManualClock } from '@triage/testing';
import { expect, vi } from 'vitest';
import type { Driver, DriverRequest, DriverResult } from '../../conformance/drivers/driver.ts';
import {
  expectNoSecrets,
  jsonSecretBody,
  secretHeaders,
  withApiKey,
} from '../../support/secret-scan.ts';
import { type Fault, type FaultServer, startSilentServer } from './fault-server.ts';
import { type Settled, within } from './outcome.ts';

/** A fault the first attempts meet before the server recovers. */
export interface FaultCase {
  name: string;
  faults: readonly Fault[];
  /**
   * The fault never ends by itself (a stall, a hang, a very slow answer): the per-attempt timeout
   * ends the attempt. Only these cases set one, so an answer the server does give is never raced
   * against a timer.
   */
  timed: boolean;
  /** The classification code of an attempt that met the fault. */
  code: string | undefined;
  /** The HTTP status of an attempt that met the fault. */
  status: number | undefined;
}

/**
 * The per-attempt timeout of the timed cases: five times what a loopback answer takes on a busy
 * CI machine, and a hundredth of the slow answer's delay, so no outcome depends on scheduling.
 */
export const ATTEMPT_TIMEOUT_MS = 500;

/** Every fault in turn. */
export const FAULT_CASES: readonly FaultCase[] = [
  {
    name: 'connection reset before the response',
    faults: [{ kind: 'reset-before' }, { kind: 'reset-before' }],
    timed: false,
    code: 'ECONNRESET',
    status: undefined,
  },
  {
    name: 'connection reset mid-body',
    faults: [{ kind: 'reset-mid-body' }, { kind: 'reset-mid-body' }],
    timed: false,
    code: 'ECONNRESET',
    status: undefined,
  },
  {
    name: 'a burst of 5xx',
    faults: [500, 502, 503, 504].map((status) => ({ kind: 'status', status, executed: true })),
    timed: false,
    code: undefined,
    status: 500,
  },
  {
    name: 'body stalled mid-way (per-attempt timeout)',
    faults: [{ kind: 'stall-mid-body' }],
    timed: true,
    code: 'ATTEMPT_TIMEOUT',
    status: undefined,
  },
  {
    name: 'slower than the per-attempt timeout',
    faults: [{ kind: 'delay', ms: 100 * ATTEMPT_TIMEOUT_MS }],
    timed: true,
    code: 'ATTEMPT_TIMEOUT',
    status: undefined,
  },
  {
    name: 'accepted and never answered (per-attempt timeout)',
    faults: [{ kind: 'hang' }],
    timed: true,
    code: 'ATTEMPT_TIMEOUT',
    status: undefined,
  },
];

/** How each fault-suite request is sent: idempotent by method or by key, or not at all. */
export type Safety = 'GET' | 'POST with Idempotency-Key' | 'POST';
export const SAFETIES: readonly Safety[] = ['GET', 'POST with Idempotency-Key', 'POST'];

const RETRY = { retries: 4, minDelayMs: 1, maxDelayMs: 5, jitter: 'none' } as const;

/** A real-time guard far above anything the cases wait for: a hang fails by name. */
const GUARD_MS = 10_000;
let sequence = 0;

/** A fresh path per run, so concurrent cases never share a script. */
export function freshPath(label: string): string {
  sequence++;
  return `/${label.replace(/[^a-z0-9]+/gi, '-')}/${sequence}`;
}

/** A request with credentials everywhere: the header set, `api_key` in the query, a JSON body. */
function request(url: string, method: string, extra: Partial<DriverRequest> = {}): DriverRequest {
  const body = method === 'GET' ? {} : { body: jsonSecretBody({ action: 'send' }) };
  return { url: withApiKey(url), method, headers: secretHeaders(), ...body, ...extra };
}

function expectVendorError(settled: Settled<DriverResult>): VendorError {
  expect(isVendorError(settled.error), String(settled.error)).toBe(true);
  return settled.error as VendorError;
}

/**
 * One fault, one adapter, one kind of request. A non-idempotent POST is sent once and fails
 * `unsafe`: the server acted on it at most once. An idempotent request is retried through the
 * fault and completes with the server's answer.
 */
export async function runFaultCase(
  driver: Driver,
  server: FaultServer,
  fault: FaultCase,
  safety: Safety,
): Promise<void> {
  const path = freshPath(`${driver.name}-${fault.name}-${safety}`);
  server.script(path, fault.faults);
  const events: TriageEvent[] = [];
  const client = driver.create({
    vendor: http,
    retry: fault.timed ? { ...RETRY, attemptTimeoutMs: ATTEMPT_TIMEOUT_MS } : RETRY,
    random: () => 0.5,
    onEvent: (event) => events.push(event),
  });
  const method = safety === 'GET' ? 'GET' : 'POST';
  const key: Record<string, string> =
    safety === 'POST with Idempotency-Key' ? { 'idempotency-key': `k-${path}` } : {};
  const sent = request(`${server.url}${path}`, method);
  const settled = await within(
    client({ ...sent, headers: { ...sent.headers, ...key } }),
    GUARD_MS,
    `${fault.name} (${safety})`,
  );
  const ledger = server.ledger(path);
  expectNoSecrets({ errors: [settled.error], events });

  if (safety === 'POST') {
    const error = expectVendorError(settled);
    expect(error).toMatchObject({
      category: 'retryable',
      effect: 'unknown',
      code: fault.code,
      status: fault.status,
      attempts: 1,
      giveUpReason: 'unsafe',
    });
    expect(ledger, path).toHaveLength(1);
    expect(server.executions(path)).toBe(1);
    return;
  }
  if (settled.error !== undefined) throw settled.error;
  expect(settled.value).toEqual({ status: 200, text: '{"ok":true}' });
  expect(ledger.map((entry) => entry.fault)).toEqual([...fault.faults.map((f) => f.kind), 'ok']);
  // Every attempt was the same request: same method, body and key.
  for (const entry of ledger) {
    expect(entry.method).toBe(method);
    expect(entry.body).toBe(sent.body ?? '');
    expect(entry.idempotencyKey).toBe(key['idempotency-key']);
  }
  expect(events.filter((e) => e.type === 'retry')).toHaveLength(fault.faults.length);
}

/**
 * A refusal (429: the server did nothing) is retried even for a non-idempotent POST, which then
 * runs exactly once.
 */
export async function runRefusalBurst(driver: Driver, server: FaultServer): Promise<void> {
  const path = freshPath(`${driver.name}-refusal`);
  server.script(path, [
    { kind: 'status', status: 429, executed: false },
    { kind: 'status', status: 429, executed: false },
  ]);
  const events: TriageEvent[] = [];
  const client = driver.create({
    vendor: http,
    retry: RETRY,
    random: () => 0.5,
    onEvent: (event) => events.push(event),
  });
  const settled = await within(
    client(request(`${server.url}${path}`, 'POST')),
    GUARD_MS,
    'a burst of 429',
  );
  expectNoSecrets({ errors: [settled.error], events });
  if (settled.error !== undefined) throw settled.error;
  expect(settled.value).toEqual({ status: 200, text: '{"ok":true}' });
  expect(server.ledger(path)).toHaveLength(3);
  expect(server.executions(path)).toBe(1);
}

/**
 * A TCP server that accepts and never reads nor answers: every attempt times out, then a GET
 * fails `exhausted` after its retries and a POST `unsafe` after one attempt. (Connections are not
 * counted: undici opens a spare one after an aborted request, with or without triage.)
 */
export async function runSilentServer(driver: Driver, method: 'GET' | 'POST'): Promise<void> {
  const silent = await startSilentServer();
  try {
    const events: TriageEvent[] = [];
    const client = driver.create({
      vendor: http,
      // Nothing ever answers: no timer races an answer, so the timeout can be short.
      retry: { ...RETRY, retries: 2, attemptTimeoutMs: 100 },
      random: () => 0.5,
      onEvent: (event) => events.push(event),
    });
    const settled = await within(
      client(request(`${silent.url}/silent`, method)),
      GUARD_MS,
      'a silent server',
    );
    expectNoSecrets({ errors: [settled.error], events });
    const error = expectVendorError(settled);
    const attempts = method === 'GET' ? 3 : 1;
    expect(error).toMatchObject({
      code: 'ATTEMPT_TIMEOUT',
      attempts,
      giveUpReason: method === 'GET' ? 'exhausted' : 'unsafe',
    });
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(attempts - 1);
    expect(silent.connections).toBeGreaterThanOrEqual(attempts);
  } finally {
    await silent.close();
  }
}

/**
 * The total deadline and the per-attempt timeout together, on the injected clock: attempts at 0,
 * 1100 and 2300 ms; the first two time out after 1000 ms, the third is cut by the 2500 ms deadline.
 */
export async function runDeadline(driver: Driver, server: FaultServer): Promise<void> {
  const path = freshPath(`${driver.name}-deadline`);
  server.script(path, [], { kind: 'hang' });
  const clock = createManualClock({ start: 0 });
  const events: TriageEvent[] = [];
  const client = driver.create({
    vendor: http,
    clock,
    random: () => 0.5,
    retry: { attemptTimeoutMs: 1000, maxElapsedMs: 2500, minDelayMs: 100, jitter: 'none' },
    onEvent: (event) => events.push(event),
  });
  const pending = within(client(request(`${server.url}${path}`, 'GET')), GUARD_MS, 'deadline');
  const sentAttempts = async (n: number): Promise<void> =>
    vi.waitFor(() => expect(server.ledger(path)).toHaveLength(n));
  const backoffScheduled = async (ms: number): Promise<void> =>
    vi.waitFor(() => expect(clock.delays.at(-1)).toBe(ms));

  await sentAttempts(1);
  await clock.advance(1000);
  await backoffScheduled(100);
  await clock.advance(100);
  await sentAttempts(2);
  await clock.advance(1000);
  await backoffScheduled(200);
  await clock.advance(200);
  await sentAttempts(3);
  await clock.advance(200);
  const settled = await pending;
  expectNoSecrets({ errors: [settled.error], events });
  expect(expectVendorError(settled)).toMatchObject({
    code: 'DEADLINE_EXCEEDED',
    giveUpReason: 'deadline',
    attempts: 3,
  });
  expect(events.filter((e) => e.type === 'retry').map((e) => e.delayMs)).toEqual([100, 200]);
  expect(clock.now()).toBe(2500);
}

/** Where the caller's signal aborts. */
export type AbortStage =
  | 'before the first attempt'
  | 'while the server holds the request'
  | 'while the body is read'
  | 'during a backoff wait';
export const ABORT_STAGES: readonly AbortStage[] = [
  'before the first attempt',
  'while the server holds the request',
  'while the body is read',
  'during a backoff wait',
];

/** The caller's abort ends the request at once with its reason, wherever the request is. */
export async function runAbort(
  driver: Driver,
  server: FaultServer,
  stage: AbortStage,
): Promise<void> {
  const path = freshPath(`${driver.name}-abort-${stage}`);
  const faults: Record<AbortStage, Fault[]> = {
    'before the first attempt': [],
    'while the server holds the request': [{ kind: 'hang' }],
    'while the body is read': [{ kind: 'stall-mid-body' }],
    'during a backoff wait': [{ kind: 'status', status: 503, executed: false }],
  };
  server.script(path, faults[stage]);
  const events: TriageEvent[] = [];
  const client = driver.create({
    vendor: http,
    // No timeouts: only the caller's signal can end a hang or a stall.
    retry: { retries: 2, minDelayMs: 60_000, jitter: 'none' },
    onEvent: (event) => events.push(event),
  });
  const controller = new AbortController();
  const reason = new Error(`caller gave up ${stage}`);
  if (stage === 'before the first attempt') controller.abort(reason);
  const pending = within(
    client(request(`${server.url}${path}`, 'GET', { signal: controller.signal })),
    GUARD_MS,
    `abort ${stage}`,
  );
  if (stage === 'while the server holds the request' || stage === 'while the body is read') {
    await vi.waitFor(() => expect(server.ledger(path)).toHaveLength(1));
  }
  if (stage === 'while the body is read') {
    // The half body leaves the server at once; let it reach the client, which then waits for more.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (stage === 'during a backoff wait') {
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('retry'));
  }
  controller.abort(reason);
  const settled = await pending;
  expect(settled.error).toBe(reason);
  expectNoSecrets({ errors: [settled.error], events });
  expect(server.ledger(path)).toHaveLength(stage === 'before the first attempt' ? 0 : 1);
}
