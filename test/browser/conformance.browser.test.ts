import { afterEach, describe, test } from 'vitest';
import type { Driver } from '../conformance/drivers/driver.ts';
import { fetchDriver } from '../conformance/drivers/fetch.ts';
import { kyDriver } from '../conformance/drivers/ky.ts';
import {
  checkAbortDuringBackoff,
  checkTotalDeadline,
  closeServers,
  runScenario,
} from '../conformance/run.ts';
import { scenarios } from '../conformance/scenarios.ts';
import { browserLoopback } from './transport.ts';

// The browser subset: everything that needs no Node API in the page. The ten-request auth check
// is left to the Node suite because its server decides per request with a function, which cannot
// cross from the page to Node.
const browserDrivers: Driver[] = [fetchDriver, kyDriver];

afterEach(closeServers);

describe.each(browserDrivers)('$name adapter in Chromium', (driver) => {
  test.each(scenarios)('$name', (scenario) => runScenario(driver, browserLoopback, scenario));
  test('abort during a backoff wait rejects within 10 ms with the abort reason', () =>
    checkAbortDuringBackoff(driver, browserLoopback));
  test('total deadline: a server that never answers fails with DEADLINE_EXCEEDED', () =>
    checkTotalDeadline(driver, browserLoopback));
});
