/** Per-account limits: calls served at once, and calls accepted per sliding window. */
export interface ThrottleLimits {
  /** @default Infinity */
  concurrency?: number;
  /** At most `requests` accepted in any `perMs` window. @default undefined (no limit) */
  rate?: { requests: number; perMs: number };
}

/** One account's state. Allocated once per account; nothing is allocated per request. */
interface AccountState {
  inflight: number;
  /** Accept times of the last `rate.requests` accepted calls, oldest at `head` (a ring). */
  stamps: Float64Array | undefined;
  head: number;
  count: number;
}

/** Admits or refuses calls per account. */
export interface Throttle {
  /**
   * Takes a slot for `account` at time `now` if both limits allow it: true means admitted (call
   * `release` when served), false means refused (nothing to release).
   */
  admit(account: string, now: number): boolean;
  /** Gives back an admitted call's concurrency slot. */
  release(account: string): void;
  /** Forgets every account. */
  clear(): void;
}

/**
 * Exact limits: JavaScript runs one request's admission at a time, so the concurrency check and
 * the slot it takes cannot interleave; the rate is a sliding-window log (the last N accept times
 * in a ring), so no window of `perMs` ever holds more than N accepted calls, unlike a fixed
 * window that lets 2N through across a boundary.
 */
export function createThrottle(limits: ThrottleLimits): Throttle {
  const concurrency = limits.concurrency ?? Number.POSITIVE_INFINITY;
  const rate = limits.rate;
  const accounts = new Map<string, AccountState>();

  function stateOf(account: string): AccountState {
    let state = accounts.get(account);
    if (state === undefined) {
      state = {
        inflight: 0,
        stamps: rate === undefined ? undefined : new Float64Array(rate.requests),
        head: 0,
        count: 0,
      };
      accounts.set(account, state);
    }
    return state;
  }

  return {
    admit(account, now) {
      const state = stateOf(account);
      if (state.inflight >= concurrency) return false;
      const stamps = state.stamps;
      if (rate !== undefined && stamps !== undefined) {
        const size = stamps.length;
        if (size === 0) return false;
        if (state.count < size) {
          stamps[(state.head + state.count) % size] = now;
          state.count += 1;
        } else {
          // The oldest of the last N accepts must have left the window for one more to fit.
          if (now - (stamps[state.head] ?? 0) < rate.perMs) return false;
          stamps[state.head] = now;
          state.head = (state.head + 1) % size;
        }
      }
      state.inflight += 1;
      return true;
    },
    release(account) {
      const state = accounts.get(account);
      if (state !== undefined && state.inflight > 0) state.inflight -= 1;
    },
    clear() {
      accounts.clear();
    },
  };
}
