import type { RateSpec } from '../types/vendor.ts';
import type { StateMachine, Transition } from './state-store.ts';

/** How the pacer behaves for one vendor account. Normalized: every field set. */
export interface PaceConfig {
  /** Rates from the options or the vendor profile; every one is enforced. */
  rates: readonly RateSpec[];
  /**
   * Each window is widened by this fraction: the vendor counts arrivals, which network jitter
   * moves by a few ms, so a start exactly one window after another could land inside it.
   */
  margin: number;
  /** An idle account is forgotten after this long; a rate learned from headers lasts this long. */
  ttlMs: number;
}

/** The pacer's record for one account. */
export interface PaceState {
  /** Start times (granted or reserved), a ring of the most recent ones, oldest at `head`. */
  log: number[];
  head: number;
  /** How many starts the ring keeps: the largest `requests` among the rates. */
  capacity: number;
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
  /** Start nothing before `until` (an absolute time on the engine's clock). */
  | { op: 'hold'; until: number }
  /** Enforce these advertised rates too. */
  | { op: 'learn'; rates: RateSpec[] };

/** The pacer's answer. */
export interface PaceOutput {
  /** `take`: when the request may start (`now` when it need not wait). */
  at: number;
  /** `take`: the start was reserved; `false` when it was further away than `maxWaitMs`. */
  reserved: boolean;
  /** `take`: what made it wait, when it waits. */
  reason?: 'rate' | 'hold';
  holdUntil: number;
  /** `hold`, `learn`: the account's state changed (a longer hold, different rates). */
  changed: boolean;
}

/** The ring never holds more starts than this; larger quotas are scaled down, keeping their rate. */
export const MAX_PACE_LOG = 10_000;

function window(spec: RateSpec, margin: number): { count: number; ms: number } {
  const requests = Math.max(1, Math.floor(spec.requests));
  const count = Math.min(requests, MAX_PACE_LOG);
  // A huge quota keeps its average rate over a proportionally shorter window: never more permissive.
  const ms = Math.ceil(((spec.perMs * count) / requests) * (1 + margin));
  return { count, ms };
}

function sameRates(a: readonly RateSpec[], b: readonly RateSpec[]): boolean {
  return (
    a.length === b.length &&
    a.every((r, i) => r.requests === b[i]?.requests && r.perMs === b[i]?.perMs)
  );
}

/**
 * The pacer as a state machine: a **sliding window log**, exact by construction: never more than
 * `requests` starts in any window of `perMs` (widened by `margin`), whatever the vendor's own
 * algorithm (fixed windows, sliding windows and token buckets of that rate all accept it).
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
  const fixed = config.rates.map((spec) => window(spec, config.margin));
  return {
    name: 'triage.pace/1',
    config,
    initial: () => ({
      log: [],
      head: 0,
      capacity: 0,
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
      if (input.op === 'hold') {
        output.changed = input.until > state.holdUntil;
        if (output.changed) state.holdUntil = input.until;
      } else if (input.op === 'learn') {
        const active = state.learnedUntil > now ? state.learned : [];
        output.changed = !sameRates(active, input.rates);
        state.learned = input.rates.map((r) => ({ requests: r.requests, perMs: r.perMs }));
        state.learnedUntil = now + config.ttlMs;
      } else {
        take(state, input.maxWaitMs, now, output);
      }
      output.holdUntil = state.holdUntil;
      return { state, output, ttlMs: ttl(state, now) };
    },
  };

  function windowsAt(state: PaceState, now: number): readonly { count: number; ms: number }[] {
    if (state.learnedUntil <= now || state.learned.length === 0) return fixed;
    return [...fixed, ...state.learned.map((spec) => window(spec, config.margin))];
  }

  function take(state: PaceState, maxWaitMs: number, now: number, output: PaceOutput): void {
    let at = now;
    if (state.holdUntil > at) {
      at = state.holdUntil;
      output.reason = 'hold';
    }
    const windows = windowsAt(state, now);
    if (windows.length > 0) {
      let capacity = 0;
      for (const w of windows) capacity = Math.max(capacity, w.count);
      resize(state, capacity);
      const size = state.log.length;
      // Starts leave in the order they were reserved, so the ring stays sorted by time.
      const last = size === 0 ? at : state.log[(state.head + size - 1) % size]!;
      if (last > at) {
        at = last;
        output.reason ??= 'rate';
      }
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
    if (at > now && at - now > maxWaitMs) output.reserved = false;
    else if (windows.length > 0) record(state, at);
  }

  function ttl(state: PaceState, now: number): number {
    const size = state.log.length;
    let widest = 0;
    for (const w of windowsAt(state, now)) widest = Math.max(widest, w.ms);
    const last = size === 0 ? now : state.log[(state.head + size - 1) % size]!;
    return Math.max(
      config.ttlMs,
      state.holdUntil - now,
      state.learnedUntil - now,
      last + widest - now,
    );
  }
}

/** Makes the ring hold `capacity` starts, keeping the most recent ones in time order. */
function resize(state: PaceState, capacity: number): void {
  if (state.capacity === capacity) return;
  const size = state.log.length;
  const ordered: number[] = [];
  for (let i = Math.max(0, size - capacity); i < size; i++)
    ordered.push(state.log[(state.head + i) % size]!);
  state.log = ordered;
  state.head = 0;
  state.capacity = capacity;
}

/** Appends a start, overwriting the oldest once the ring is full. */
function record(state: PaceState, at: number): void {
  if (state.log.length < state.capacity) {
    state.log.push(at);
    return;
  }
  state.log[state.head] = at;
  state.head = (state.head + 1) % state.capacity;
}
