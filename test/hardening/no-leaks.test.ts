import { expect, test } from 'vitest';
import { drivers } from '../conformance/drivers/index.ts';
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

// The whole fault matrix of faults.test.ts once more, alone in its file (its own process), then
// a count of what keeps the event loop alive: every timer, socket and server the suite made must
// be gone. vitest's own handles (its IPC, this test's timeout) exist before and after alike.

/** The handle kinds the suite creates: triage's timers, client and server sockets, servers. */
const TRACKED = ['Timeout', 'TCPSocketWrap', 'TCPServerWrap'] as const;

function handles(): Record<(typeof TRACKED)[number], number> {
  const active = process.getActiveResourcesInfo();
  return {
    Timeout: active.filter((kind) => kind === 'Timeout').length,
    TCPSocketWrap: active.filter((kind) => kind === 'TCPSocketWrap').length,
    TCPServerWrap: active.filter((kind) => kind === 'TCPServerWrap').length,
  };
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('the fault suite leaves no timers, sockets or servers behind', async () => {
  const before = handles();
  const server = await startFaultServer();
  const runs: (() => Promise<void>)[] = [];
  for (const driver of drivers) {
    for (const fault of FAULT_CASES) {
      for (const safety of SAFETIES) runs.push(() => runFaultCase(driver, server, fault, safety));
    }
    runs.push(() => runRefusalBurst(driver, server));
    runs.push(
      () => runSilentServer(driver, 'GET'),
      () => runSilentServer(driver, 'POST'),
    );
    for (const stage of ABORT_STAGES) runs.push(() => runAbort(driver, server, stage));
  }
  // Five at a time, as faults.test.ts runs them (vitest's maxConcurrency): the timed cases' margin
  // is sized for that, not for a hundred requests starting at once.
  await Promise.all(
    Array.from({ length: 5 }, async () => {
      for (let run = runs.shift(); run !== undefined; run = runs.shift()) await run();
    }),
  );
  // On the injected clock, one at a time: its steps wait for the server to see each attempt.
  for (const driver of drivers) await runDeadline(driver, server);
  // While requests were in flight there were handles to count: the check below can fail.
  expect(handles().TCPServerWrap).toBeGreaterThan(before.TCPServerWrap);
  await server.close();

  // Sockets close asynchronously once the server has destroyed its side (keep-alive pools see the
  // FIN a moment later). Counted right after each wait fired, so the wait's own timer is gone.
  // Fewer than before is fine: a handle that existed before the test (vitest's) may have ended.
  const left = (): boolean => TRACKED.some((kind) => handles()[kind] > before[kind]);
  for (let waited = 0; waited < 5_000 && left(); waited += 25) await tick(25);
  const after = handles();
  for (const kind of TRACKED) {
    expect(after[kind], process.getActiveResourcesInfo().join(', ')).toBeLessThanOrEqual(
      before[kind],
    );
  }
}, 60_000);
