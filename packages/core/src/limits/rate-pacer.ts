import type { RateSpec } from '../types/vendor.ts';
import type { StateMachine, Transition } from './state-store.ts';

/** How the pacer behaves for one vendor account. Normalized: every field set. */
export interface PaceConfig {
  /** Rates from the options or the vendor profile; every one is enforced. */
  rates: readonly RateSpec[];
  /**
   * How late a start may reach the vendor after it was sent, as a fraction of the shortest window:
   * the vendor counts arrivals, which a new connection, a busy event loop or network jitter delay.
   * A start whose answer came back sooner is bounded by its answer instead.
   */
  margin: number;
  /** An idle account is forgotten after this long; a rate learned from headers lasts this long. */
  ttlMs: number;
}

/** The pacer's record for one account. */
export interface PaceState {
  /**
   * For each logged start, the latest time it can have reached the vendor, sorted: a ring of the
   * most recent ones, oldest at `head`.
   */
  log: number[];
  /** Each entry's name, in the same places as `log`: the `entry` its `take` returned. */
  ids: number[];
  head: number;
  /** The last name given to an entry. */
  seq: number;
  /** How many starts the ring keeps: the largest `requests` among the rates. */
  capacity: number;
  /** The latest start reserved: starts leave in the order they were reserved. */
  last: number;
  /** No start before this time (a `Retry-After`, or a `RateLimit` with nothing left). */
  holdUntil: number;
  /** Rates the vendor advertised (`RateLimit-Policy`), enforced until `learnedUntil`. */
  learned: RateSpec[];
  learnedUntil: number;
}

/** What the pacer is asked. */
export type PaceInput =
  /** Reserve the earliest start allowed, unless it is more than `maxWaitMs` away. */
  | { op: 'take'; maxWaitMs: number }
  /**
   * The start a `take` logged as `entry` is now known to reach the vendor by `to` (an absolute
   * time): later when it was sent late, sooner when it was answered before its bound.
   */
  | { op: 'move'; entry: number; to: number }
  /** Start nothing before `until` (an absolute time on the engine's clock). */
  | { op: 'hold'; until: number }
  /**
   * Enforce these rates too (advertised, or discovered), replacing those learned before; with
   * `ifRates`, only if those are the rates in force (a compare-and-set: a rate raised from a view
   * another client has since changed is not written).
   */
  | { op: 'learn'; rates: RateSpec[]; ifRates?: readonly RateSpec[] };

/** The pacer's answer. */
export interface PaceOutput {
  /** `take`: when the request may start (`now` when it need not wait). */
  at: number;
  /** `take`: the start was reserved; `false` when it was further away than `maxWaitMs`. */
  reserved: boolean;
  /**
   * `take`: the name of the start's log entry, to `move` it once the request was sent and
   * answered; absent when nothing was logged (no rate, or not reserved).
   */
  entry?: number;
  /** `take`: when the start may reach the vendor at the latest, as logged: `at` plus the margin. */
  bound?: number;
  /** `take`: what made it wait, when it waits. */
  reason?: 'rate' | 'hold';
  holdUntil: number;
  /** `hold`, `learn`: the account's state changed (a longer hold, different rates); `move`: moved. */
  changed: boolean;
  /**
   * `take`, `learn`: the learned rates in force, when there are any: what every client of the
   * store paces by (rate discovery reads the account's discovered rate from here).
   */
  learned?: RateSpec[];
  /** With `learned`: when they were last learned (on the engine's clock). */
  learnedAt?: number;
}

/** The ring never holds more starts than this; larger quotas are scaled down, keeping their rate. */
export const MAX_PACE_LOG = 10_000;

interface Window {
  count: number;
  ms: number;
}

function window(spec: RateSpec): Window {
  const requests = Math.max(1, Math.floor(spec.requests));
  const count = Math.min(requests, MAX_PACE_LOG);
  // A huge quota keeps its average rate over a proportionally shorter window: never more permissive.
  const ms = Math.ceil((spec.perMs * count) / requests);
  return { count, ms };
}

function sameRates(a: readonly RateSpec[], b: readonly RateSpec[]): boolean {
  return (
    a.length === b.length &&
    a.every((r, i) => r.requests === b[i]?.requests && r.perMs === b[i]?.perMs)
  );
}

/**
 * The pacer as a state machine: a **sliding window log** of when each start can have reached the
 * vendor at the latest. A new start waits until fewer than `requests` of them fall in the last
 * `perMs`, so no window of `perMs` at the vendor ever counts more than `requests` arrivals, whatever
 * the vendor's own algorithm (fixed windows, sliding windows and token buckets of that rate all
 * accept it).
 *
 * Each entry starts as the reserved start plus the margin (the vendor counts arrivals, not our
 * sends) and is then `move`d: later by as much as the request was sent late (a timer fires late,
 * a slot comes later), and down to the time its answer came back when that is sooner (an answer
 * proves the arrival). The ring stays sorted, so the `requests`-th newest entry is the one that
 * bounds the next start.
 *
 * A start is reserved when it is granted, even in the future, so queued requests leave in order
 * at exactly the allowed times instead of all retrying at once. Holds (`Retry-After`, an
 * exhausted `RateLimit`) delay every start of the account.
 *
 * For even spacing instead of bursts, configure one request per interval: `{ requests: 1,
 * perMs: 10 }` for 100 per second.
 */
export function paceMachine(
  config: PaceConfig,
): StateMachine<PaceState, PaceInput, PaceOutput> & { readonly config: PaceConfig } {
  const fixed = config.rates.map(window);
  return {
    name: 'triage.pace/2',
    config,
    initial: () => ({
      log: [],
      ids: [],
      head: 0,
      seq: 0,
      capacity: 0,
      last: 0,
      holdUntil: 0,
      learned: [],
      learnedUntil: 0,
    }),
    step(state, input, now): Transition<PaceState, PaceOutput> {
      const output: PaceOutput = {
        at: now,
        reserved: true,
        holdUntil: state.holdUntil,
        changed: false,
      };
      if (input.op === 'take') {
        take(state, input.maxWaitMs, now, output);
      } else if (input.op === 'move') {
        output.changed = move(state, input.entry, input.to);
      } else if (input.op === 'hold') {
        output.changed = input.until > state.holdUntil;
        if (output.changed) state.holdUntil = input.until;
      } else {
        const active = state.learnedUntil > now ? state.learned : [];
        if (input.ifRates === undefined || sameRates(active, input.ifRates)) {
          output.changed = !sameRates(active, input.rates);
          state.learned = input.rates.map((r) => ({ requests: r.requests, perMs: r.perMs }));
          state.learnedUntil = now + config.ttlMs;
        }
      }
      output.holdUntil = state.holdUntil;
      if (
        (input.op === 'take' || input.op === 'learn') &&
        state.learnedUntil > now &&
        state.learned.length > 0
      ) {
        // The record's own array: `learn` replaces it, never changes it, so no copy per `take`.
        output.learned = state.learned;
        output.learnedAt = state.learnedUntil - config.ttlMs;
      }
      return { state, output, ttlMs: ttl(state, now) };
    },
  };

  function windowsAt(state: PaceState, now: number): readonly Window[] {
    if (state.learnedUntil <= now || state.learned.length === 0) return fixed;
    return [...fixed, ...state.learned.map(window)];
  }

  function take(state: PaceState, maxWaitMs: number, now: number, output: PaceOutput): void {
    let at = now;
    if (state.holdUntil > at) {
      at = state.holdUntil;
      output.reason = 'hold';
    }
    const windows = windowsAt(state, now);
    let slack = 0;
    if (windows.length > 0) {
      let capacity = 0;
      let shortest = Number.POSITIVE_INFINITY;
      for (const w of windows) {
        capacity = Math.max(capacity, w.count);
        shortest = Math.min(shortest, w.ms);
      }
      slack = Math.ceil(shortest * config.margin);
      resize(state, capacity);
      // Starts leave in the order they were reserved: a later one never overtakes an earlier one.
      if (state.last > at) {
        at = state.last;
        output.reason ??= 'rate';
      }
      const size = state.log.length;
      for (const { count, ms } of windows) {
        if (size < count) continue;
        const earliest = state.log[(state.head + size - count) % size]! + ms;
        if (earliest > at) {
          at = earliest;
          output.reason = 'rate';
        }
      }
    }
    output.at = at;
    // A start that need not wait is always granted, whatever `maxWaitMs` says.
    if (at > now && at - now > maxWaitMs) {
      output.reserved = false;
    } else if (windows.length > 0) {
      state.last = at;
      state.seq++;
      output.entry = state.seq;
      output.bound = at + slack;
      insert(state, at + slack, state.seq);
    }
  }

  function ttl(state: PaceState, now: number): number {
    const size = state.log.length;
    let widest = 0;
    for (const w of windowsAt(state, now)) widest = Math.max(widest, w.ms);
    const newest = size === 0 ? now : state.log[(state.head + size - 1) % size]!;
    return Math.max(
      config.ttlMs,
      state.holdUntil - now,
      state.learnedUntil - now,
      Math.max(newest, state.last) + widest - now,
    );
  }
}

/** Makes the ring hold `capacity` starts, keeping the most recent ones in order. */
function resize(state: PaceState, capacity: number): void {
  if (state.capacity === capacity) return;
  const size = state.log.length;
  const log: number[] = [];
  const ids: number[] = [];
  for (let i = Math.max(0, size - capacity); i < size; i++) {
    log.push(state.log[(state.head + i) % size]!);
    ids.push(state.ids[(state.head + i) % size]!);
  }
  state.log = log;
  state.ids = ids;
  state.head = 0;
  state.capacity = capacity;
}

/**
 * Adds an entry, overwriting the oldest once the ring is full, and sifts it to its place: entries
 * moved later (requests sent late) may be later than a new start.
 */
function insert(state: PaceState, value: number, id: number): void {
  let size = state.log.length;
  if (size < state.capacity) {
    state.log.push(value);
    state.ids.push(id);
    size++;
  } else {
    // Full: the oldest entry goes. The new one is not earlier: once the ring is full, a start
    // waits for the oldest entry plus the window of the largest quota.
    state.log[state.head] = value;
    state.ids[state.head] = id;
    state.head = (state.head + 1) % size;
  }
  sift(state, size - 1);
}

/** Moves the entry named `id` to `to`, keeping the ring sorted; `false` when it is gone. */
function move(state: PaceState, id: number, to: number): boolean {
  const size = state.log.length;
  for (let i = size - 1; i >= 0; i--) {
    const at = (state.head + i) % size;
    if (state.ids[at] === id) {
      state.log[at] = to;
      sift(state, i);
      return true;
    }
  }
  return false;
}

/** Restores the order around logical position `i`, the only entry out of place. */
function sift(state: PaceState, i: number): void {
  const { log, ids } = state;
  const size = log.length;
  const slot = (k: number): number => (state.head + k) % size;
  const swap = (a: number, b: number): void => {
    [log[a], log[b]] = [log[b]!, log[a]!];
    [ids[a], ids[b]] = [ids[b]!, ids[a]!];
  };
  let k = i;
  while (k > 0 && log[slot(k - 1)]! > log[slot(k)]!) {
    swap(slot(k - 1), slot(k));
    k--;
  }
  while (k < size - 1 && log[slot(k + 1)]! < log[slot(k)]!) {
    swap(slot(k + 1), slot(k));
    k++;
  }
}
