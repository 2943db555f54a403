// A child process that runs vendor simulators for the benchmark process (see
// `simulator-process.ts` for why). One simulator at a time, driven over the IPC channel.
import type { SimulatorCounters } from '@triage/testing';
import {
  type StartVendorSimulatorOptions,
  startVendorSimulator,
  type VendorSimulator,
} from '@triage/testing/node';

/** What the parent asks. */
export type HostRequest =
  | { op: 'start'; options: StartVendorSimulatorOptions }
  | { op: 'counters' | 'reset' | 'stop' };

/** A request with the number its reply carries back. */
export type HostCommand = HostRequest & { id: number };

/** A command done: the URL after `start`, the counters after `counters`. */
export interface HostDone {
  id: number;
  ok: true;
  url?: string;
  counters?: SimulatorCounters;
}

/** What the host answers. */
export type HostReply = HostDone | { id: number; ok: false; error: string };

let simulator: VendorSimulator | undefined;

async function answer(command: HostCommand): Promise<HostDone> {
  switch (command.op) {
    case 'start':
      await simulator?.close();
      simulator = await startVendorSimulator(command.options);
      return { id: command.id, ok: true, url: simulator.url };
    case 'counters':
      if (simulator === undefined) throw new Error('no simulator is running');
      return { id: command.id, ok: true, counters: simulator.counters };
    case 'reset':
      simulator?.resetCounters();
      return { id: command.id, ok: true };
    case 'stop':
      await simulator?.close();
      simulator = undefined;
      return { id: command.id, ok: true };
  }
}

process.on('message', (command: HostCommand) => {
  answer(command).then(
    (reply) => process.send?.(reply),
    (error: unknown) => process.send?.({ id: command.id, ok: false, error: String(error) }),
  );
});
// The parent went away: stop serving.
process.once('disconnect', () => {
  void simulator?.close().finally(() => process.exit(0));
  if (simulator === undefined) process.exit(0);
});
process.send?.({ id: 0, ok: true });
