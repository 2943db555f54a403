import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * Debian's `redis-server` (`apt-get install redis-server`; `.ci/install-redis` installs it), or
 * `$REDIS_SERVER`. Without it the Redis tests cannot run: under CI (`CI=true`) importing this
 * module fails loudly, so they never pass by running nothing; on a developer's machine they are
 * skipped with a warning, as the browser tests are without Chromium.
 */
export const REDIS_SERVER: string = process.env.REDIS_SERVER ?? 'redis-server';

function found(binary: string): boolean {
  try {
    execFileSync(binary, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const hasRedisServer: boolean = found(REDIS_SERVER);
if (!hasRedisServer && process.env.CI === 'true') {
  throw new Error(
    `${REDIS_SERVER} not found: the @triage/redis tests need a real Redis (run .ci/install-redis)`,
  );
}
if (!hasRedisServer) console.warn(`[triage] no ${REDIS_SERVER}: @triage/redis tests not run`);

/** A free TCP port on 127.0.0.1, as the kernel picks it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One `redis-server` child process on 127.0.0.1, without persistence. */
export interface RedisServer {
  readonly port: number;
  /** Kills it like a crash (`SIGKILL`): its data is gone, clients see the connection drop. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  port?: number;
  /** More `redis-server` arguments (`['--cluster-enabled', 'yes']`). */
  args?: readonly string[];
  /** Its working directory (a cluster node writes `nodes.conf` there). */
  cwd?: string;
}

function launch(port: number, options: RedisServerOptions): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      ...(options.args ?? []),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} did not start:\n${output}`));
    }, 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on port ${port} exited with ${code}:\n${output}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `redis-server` on a free port (or `options.port`) and waits until it accepts connections. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  let child: ChildProcess | undefined = await launch(port, options);
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined) return;
    running.kill('SIGKILL');
    await exited(running);
  };
  return {
    port,
    kill,
    async restart() {
      await kill();
      child = await launch(port, options);
    },
    stop: kill,
  };
}

/**
 * The server `.ci/run` starts for the whole run (`redis://127.0.0.1:<port>`), when set. Only the
 * tests that neither kill, restart nor pause Redis use it; they flush their own database, so a
 * developer should not point it at a Redis whose data matters.
 */
export const SHARED_REDIS_URL: string | undefined = process.env.TRIAGE_TEST_REDIS_URL || undefined;

/** Where a test file's Redis is: a database of its own on the shared server, or a server of its own. */
export interface TestRedis {
  readonly host: string;
  readonly port: number;
  /** The file's database: files running at once on the shared server never see each other's keys. */
  readonly db: number;
  /** Stops the server when the file started its own; the shared one is `.ci/run`'s to stop. */
  stop(): Promise<void>;
}

/**
 * The Redis for a test file that never kills, restarts or pauses it: the shared server when
 * `TRIAGE_TEST_REDIS_URL` is set (database `db`), else a `redis-server` of its own.
 */
export async function testRedis(db: number): Promise<TestRedis> {
  if (SHARED_REDIS_URL !== undefined) {
    const url = new URL(SHARED_REDIS_URL);
    return {
      host: url.hostname,
      port: Number(url.port || 6379),
      db,
      stop: () => Promise.resolve(),
    };
  }
  const server = await startRedisServer();
  return { host: '127.0.0.1', port: server.port, db, stop: () => server.stop() };
}
