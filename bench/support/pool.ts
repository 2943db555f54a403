import { now } from './timing.ts';

/** Options of {@link runPool}. */
export interface PoolOptions {
  /** Workers: at most this many tasks are under way at once. */
  concurrency: number;
  /** Tasks to run; `Infinity` keeps going until `stop` aborts. */
  total: number;
  /**
   * Stops handing out tasks. Tasks under way may finish; they count as they end.
   */
  stop?: AbortSignal;
  /** Aborts the tasks still under way (the `signal` each task gets): they count as unfinished. */
  abort?: AbortSignal;
  /**
   * One task. Resolving is a success; rejecting is a give-up (the client finally failed), or
   * unfinished when `abort` fired first.
   */
  task(index: number, signal: AbortSignal): Promise<void>;
}

/** What a pool run came to. */
export interface PoolResult {
  /** From the first task's start to the last task's end. */
  elapsedMs: number;
  started: number;
  successes: number;
  giveUps: number;
  /** Tasks aborted while under way. */
  unfinished: number;
  /** The first give-up's error, to show what went wrong. */
  firstError: unknown;
}

/**
 * Runs tasks with `concurrency` workers: each worker takes the next index as soon as its previous
 * task ends, as N concurrent clients of one service would.
 */
export async function runPool(options: PoolOptions): Promise<PoolResult> {
  const { concurrency, total, stop, abort } = options;
  const signal = abort ?? new AbortController().signal;
  let next = 0;
  const result: PoolResult = {
    elapsedMs: 0,
    started: 0,
    successes: 0,
    giveUps: 0,
    unfinished: 0,
    firstError: undefined,
  };

  async function worker(): Promise<void> {
    while (next < total && !stop?.aborted && !signal.aborted) {
      const index = next++;
      result.started++;
      try {
        await options.task(index, signal);
        result.successes++;
      } catch (error) {
        if (signal.aborted) {
          result.unfinished++;
        } else {
          result.giveUps++;
          result.firstError ??= error;
          // A client that fails without I/O (a bad URL, say) would otherwise spin in microtasks
          // forever when `total` is Infinity: the timer that ends the run could never fire.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    }
  }

  const start = now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  result.elapsedMs = now() - start;
  return result;
}
