import { afterAll, describe, expect, test } from 'vitest';
import { drivers } from '../conformance/drivers/index.ts';
import { scanned } from '../support/secret-scan.ts';
import {
  ABORT_STAGES,
  FAULT_CASES,
  runAbort,
  runDeadline,
  runFaultCase,
  runRefusalBurst,
  runSilentServer,
  SAFETIES,
} from './support/fault-cases.ts';
import { startFaultServer } from './support/fault-server.ts';

// Fault injection on a real loopback server, for every adapter: resets before the response and
// mid-body, stalls, slow answers, hangs, bursts of 5xx, a server that never reads. The server's
// ledger counts side effects: a POST without an idempotency key runs at most once under every
// fault; idempotent requests complete once the fault clears. Every error and event is scanned
// for the credentials each request carries. The leak check over this matrix is no-leaks.test.ts.

const server = await startFaultServer();
afterAll(async () => {
  await server.close();
  expect(scanned.errors).toBeGreaterThan(0);
  expect(scanned.events).toBeGreaterThan(0);
});

describe.each(drivers)('$name adapter', (driver) => {
  // Each case has its own path on the shared server, so they run side by side.
  describe.concurrent.each(FAULT_CASES)('$name', (fault) => {
    test.each(SAFETIES)('%s', (safety) => runFaultCase(driver, server, fault, safety));
  });
  test.concurrent('a burst of 429 (refused, not run): a POST is retried and runs once', () =>
    runRefusalBurst(driver, server));
  test.concurrent('a server that accepts and never reads: each GET attempt times out', () =>
    runSilentServer(driver, 'GET'));
  test.concurrent('a server that accepts and never reads: a POST is sent once', () =>
    runSilentServer(driver, 'POST'));
  test('per-attempt timeout and total deadline together (injected clock)', () =>
    runDeadline(driver, server));
  describe.concurrent.each(ABORT_STAGES)('the caller aborts %s', (stage) => {
    test('rejects with the abort reason, nothing more is sent', () =>
      runAbort(driver, server, stage));
  });
});
