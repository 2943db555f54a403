import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimulatorCounters } from '@triage/testing';
import type { StartVendorSimulatorOptions } from '@triage/testing/node';
import type { HostCommand, HostDone, HostReply, HostRequest } from './simulator-host.ts';

/** A vendor simulator running in the host process. */
export interface RemoteSimulator {
  url: string;
  /** The simulator's counters now (one IPC round trip). */
  counters(): Promise<SimulatorCounters>;
  resetCounters(): Promise<void>;
  close(): Promise<void>;
}

/** The child process that runs the simulators. */
export interface SimulatorHost {
  /** Starts a fresh simulator (closing the previous one). */
  start(options: StartVendorSimulatorOptions): Promise<RemoteSimulator>;
  close(): Promise<void>;
}

type Pending = Map<number, { resolve(reply: HostReply): void; reject(error: Error): void }>;

function ask(child: ChildProcess, pending: Pending, command: HostCommand): Promise<HostDone> {
  return new Promise<HostReply>((resolve, reject) => {
    pending.set(command.id, { resolve, reject });
    child.send(command);
  }).then((reply) => {
    if (!reply.ok) throw new Error(`simulator host: ${reply.error}`);
    return reply;
  });
}

/**
 * Starts `simulator-host.ts` as a child process. The simulators run there, not on the benchmark's
 * event loop: a real vendor's servers never take CPU from its clients, but an in-process simulator
 * would, and on a busy storm every parse and reply it does would delay the clients' next request
 * and count against their time over the floor. On a 2-core machine the host gets the other core.
 */
export async function startSimulatorHost(): Promise<SimulatorHost> {
  const child = fork(fileURLToPath(new URL('./simulator-host.ts', import.meta.url)), [], {
    // The host imports @triage/testing from its sources, as this process does.
    execArgv: ['--conditions=@triage/source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending: Pending = new Map();
  let nextId = 1;
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`simulator host exited with ${code}`)));
    child.once('message', () => resolve());
  });
  child.removeAllListeners('exit');
  child.on('message', (reply: HostReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    waiter?.resolve(reply);
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`simulator host exited with ${code}`));
    }
    pending.clear();
  });
  const send = (request: HostRequest): Promise<HostDone> =>
    ask(child, pending, { ...request, id: nextId++ });

  return {
    async start(options) {
      const { url } = await send({ op: 'start', options });
      if (url === undefined) throw new Error('simulator host: started without a URL');
      return {
        url,
        async counters() {
          const { counters } = await send({ op: 'counters' });
          if (counters === undefined) throw new Error('simulator host: no counters');
          return counters;
        },
        async resetCounters() {
          await send({ op: 'reset' });
        },
        async close() {
          await send({ op: 'stop' });
        },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
