/** A value now, or later: the in-memory store answers at once, a shared store over the network later. */
export type MaybePromise<T> = T | Promise<T>;

/** Which limiter a record belongs to. */
export type StateKind = 'concurrency' | 'pace' | 'budget' | 'breaker';

/**
 * Where one record of limiter state lives. Every record belongs to one vendor and one account
 * (whose limits are shared); a shared store namespaces its keys by all three parts, e.g.
 * `triage:{co3:https://co3app.com}:concurrency` (the braces keep an account's records in one Redis
 * Cluster slot, so a script may touch several of them).
 */
export interface StateKey {
  readonly vendor: string;
  readonly account: string;
  readonly kind: StateKind;
}

/** What one transition of a {@link StateMachine} comes to. */
export interface Transition<S, O> {
  /** The state to keep. It may be the same object the step was given, updated in place. */
  state: S;
  /** The decision, returned to the caller. */
  output: O;
  /**
   * How long the record is worth keeping without further use; the store forgets it after that
   * (Redis: `PEXPIRE`), and the next transition starts from `initial()` again.
   */
  ttlMs: number;
}

/**
 * One kind of limiter state as a pure transition: `(state, input, now) → (state, output, ttl)`.
 * State, input and output are plain data (numbers, strings, arrays of numbers), so a shared store
 * can keep the state as JSON and run the same step as a script.
 */
export interface StateMachine<S, I, O> {
  /**
   * A stable, versioned name (`triage.concurrency/2`). A shared store maps it to its own atomic
   * implementation, e.g. a Lua script that runs the same arithmetic inside Redis.
   */
  readonly name: string;
  /**
   * The settings `step` closes over (its config object). A shared store that runs its own copy of
   * the step (a Lua script in Redis) reads their numbers from here, so both copies decide alike;
   * the in-memory store ignores it. Every built-in machine sets it.
   */
  readonly config?: unknown;
  /** The state of an account never seen, or forgotten after its TTL. */
  initial(now: number): S;
  /** The transition. Pure but for updating `state` in place. */
  step(state: S, input: I, now: number): Transition<S, O>;
}

/**
 * Where limiter state is kept: the one seam between the limiters and their storage.
 *
 * Each `apply` is one atomic read-modify-write of one record: no other `apply` on the same key
 * interleaves with it. The in-memory store is synchronous and atomic by construction. A shared
 * store across processes (Redis) implements each machine as a Lua script run with `EVALSHA`
 * (atomic in Redis), keeps the state under the namespaced key with `PEXPIRE ttlMs`, and may use
 * the server's `TIME` instead of `now` so that every process agrees on the time.
 *
 * A store that fails (throws or rejects) never blocks requests: the engine then admits the
 * request as if the limiter were off.
 *
 * @example
 * ```ts
 * // Two clients of the same vendor account in one process share their limits:
 * const store = createMemoryStore();
 * const a = createTriageFetch({ vendor: co3, limits: { store } });
 * const b = attachTriage(axios.create(), { vendor: co3, limits: { store } });
 * ```
 */
export interface StateStore {
  /** Applies `machine.step` to the record at `key` atomically and returns its output. */
  apply<S, I, O>(
    key: StateKey,
    machine: StateMachine<S, I, O>,
    input: I,
    now: number,
  ): MaybePromise<O>;
}

/** True when `value` is a promise (or any thenable): the store answered asynchronously. */
export function isPromiseLike<T>(value: MaybePromise<T>): value is Promise<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
