import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { scanned } from '../support/secret-scan.ts';
import { drivers } from './drivers/index.ts';
import {
  checkAbortDuringBackoff,
  checkSingleFlightRefresh,
  checkTotalDeadline,
  closeServers,
  runScenario,
} from './run.ts';
import { scenarios } from './scenarios.ts';
import type { Transport } from './transport.ts';
import { loopback, msw } from './transports.ts';

afterEach(closeServers);

// The runner scans every error and event for the suite's credentials; this shows it saw them.
afterAll(() => {
  expect(scanned.errors).toBeGreaterThan(0);
  expect(scanned.events).toBeGreaterThan(0);
});

describe.each<Transport>([loopback, msw])('conformance on $name', (transport) => {
  describe.each(drivers)('$name adapter', (driver) => {
    test.each(scenarios)('$name', (scenario) => runScenario(driver, transport, scenario));
    test('auth refreshable: ten concurrent requests fail, refresh runs once, all ten succeed', () =>
      checkSingleFlightRefresh(driver, transport));
    test('abort during a backoff wait rejects within 10 ms with the abort reason', () =>
      checkAbortDuringBackoff(driver, transport));
    test('total deadline: a server that never answers fails with DEADLINE_EXCEEDED', () =>
      checkTotalDeadline(driver, transport));
  });
});
