import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The loopback server, running in its own process. */
export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts `loopback-server.ts` as a child process. A second process, not this one: on a 2-core
 * machine the server then runs on the other core, so the client's own CPU time is what bounds the
 * throughput and an adapter's overhead shows in full. A server on the client's event loop would
 * add its own work to every request and dilute the difference.
 */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const child = fork(fileURLToPath(new URL('./loopback-server.ts', import.meta.url)), [], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`loopback server exited with ${code}`)));
    child.once('message', (message) => resolve((message as { port: number }).port));
  });
  child.removeAllListeners('exit');
  return {
    url: `http://127.0.0.1:${port}`,
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
