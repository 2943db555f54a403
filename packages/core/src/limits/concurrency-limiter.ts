import type { StateMachine, Transition } from './state-store.ts';

/** How the concurrency limiter behaves for one vendor account. Normalized: every field set. */
export interface ConcurrencyConfig {
  /** `true`: the limit is learned from throttles and latency; `false`: `initial` is the limit. */
  adaptive: boolean;
  /** The first limit (a fixed limit's value). */
  initial: number;
  min: number;
  max: number;
  /** After a throttle, the limit is raised by one at most once per this many ms. */
  probeIntervalMs: number;
  /** Latency counts as queueing when its short average exceeds the long one by this factor. */
  latencyTolerance: number;
  /** An account idle this long starts over from `initial`. */
  ttlMs: number;
}

/** Why the limit changed. */
export type LimitChangeReason =
  /** Growth by one per clean completion while demand exceeds the limit, before any throttle. */
  | 'slow-start'
  /** A throttle with other requests in flight: the limit is what the vendor was accepting. */
  | 'throttle'
  /** A long clean run since the last change: one more slot, to find out whether it fits. */
  | 'probe'
  /** The vendor advertised a concurrency quota (`RateLimit-Policy` with `qu="concurrent-requests"`). */
  | 'server';

/** The limiter's record for one account. Plain numbers, so a shared store can keep it as JSON. */
export interface ConcurrencyState {
  limit: number;
  /** Slots held across every client sharing the store. */
  inflight: number;
  /** Growing by one per clean completion until the first throttle or latency rise (like TCP). */
  slowStart: boolean;
  /** Clean completions while saturated since the last change. */
  clean: number;
  /** When the limit last went down or was probed up. */
  changedAt: number;
  /** Short and long moving averages of clean latency (0: no sample yet). */
  shortLatency: number;
  longLatency: number;
  /** A concurrency quota the vendor advertised (0: none). */
  ceiling: number;
}

/** What the limiter is asked. */
export type ConcurrencyInput =
  /** Take up to `want` slots. */
  | { op: 'acquire'; want: number }
  /**
   * Give a slot back with what the attempt came to, and hand freed slots to up to `waiting`
   * queued requests in the same step.
   */
  | {
      op: 'release';
      /**
       * `throttled`: the vendor rejected it as over its limit (CO3 code 8, HTTP 429); `success`:
       * its latency is a clean sample; `failure`, `cancelled`: no signal for the limit.
       */
      outcome: 'success' | 'throttled' | 'failure' | 'cancelled';
      latencyMs: number;
      /** Slots held, this one included, when the attempt was admitted. */
      inflightAtSend: number;
      waiting: number;
    }
  /** The vendor advertised a concurrency quota. */
  | { op: 'ceiling'; max: number };

/** The limiter's answer. */
export interface ConcurrencyOutput {
  /** Slots granted: to the caller (`acquire`) or to queued requests (`release`). */
  granted: number;
  limit: number;
  /** The limit before this step. */
  previous: number;
  inflight: number;
  /** Set when `limit !== previous`. */
  reason?: LimitChangeReason;
}

/** Weights of the latency averages: about the last 10 and the last 100 clean samples. */
const SHORT_WEIGHT = 0.1;
const LONG_WEIGHT = 0.01;

/**
 * The adaptive concurrency limiter as a state machine, in the family of Netflix's
 * concurrency-limits, tuned for vendors that reject (rather than queue) over their limit:
 *
 * - **Slow start** from `initial` (10, TCP's initial window, RFC 6928): +1 per clean completion
 *   while demand exceeds the limit, so the limit doubles per round trip until the first throttle.
 * - **On a throttle** of a request that was sent with company, the limit becomes the number of
 *   other requests still in flight: those the vendor is accepting. A throttle of a lone request
 *   says nothing about concurrency (it is a rate limit) and leaves the limit alone.
 * - **Probe** +1 only after `probeIntervalMs` since the last change and a full round of clean
 *   completions at the limit, because each rejected probe costs that request the vendor's retry
 *   wait (CO3 code 8: 1 s).
 * - **Latency** (the gradient of a short over a long average, as in Netflix's Gradient2) is a
 *   secondary signal: while it shows queueing the limit does not grow, and slow start ends.
 *
 * Demand matters: the limit grows only when a completion found the limit full or requests
 * queued (RFC 7661's rule for application-limited senders), so idle capacity is not "learned".
 */
export function concurrencyMachine(config: ConcurrencyConfig): StateMachine<
  ConcurrencyState,
  ConcurrencyInput,
  ConcurrencyOutput
> & {
  readonly config: ConcurrencyConfig;
} {
  const clamp = (value: number, state: ConcurrencyState): number => {
    const top = state.ceiling > 0 ? Math.min(config.max, state.ceiling) : config.max;
    return Math.max(config.min, Math.min(top, value));
  };
  return {
    name: 'triage.concurrency/1',
    config,
    initial: (now) => ({
      limit: config.initial,
      inflight: 0,
      slowStart: config.adaptive,
      clean: 0,
      changedAt: now,
      shortLatency: 0,
      longLatency: 0,
      ceiling: 0,
    }),
    step(state, input, now): Transition<ConcurrencyState, ConcurrencyOutput> {
      const previous = state.limit;
      let reason: LimitChangeReason | undefined;
      let want = 0;
      if (input.op === 'acquire') {
        want = input.want;
      } else if (input.op === 'ceiling') {
        state.ceiling = Math.max(0, input.max);
        state.limit = clamp(state.limit, state);
        if (state.limit !== previous) reason = 'server';
      } else {
        const before = state.inflight;
        state.inflight = Math.max(0, before - 1);
        want = input.waiting;
        if (config.adaptive) reason = adapt(state, input, before, now);
      }
      let granted = 0;
      while (granted < want && state.inflight < state.limit) {
        state.inflight++;
        granted++;
      }
      const output: ConcurrencyOutput = {
        granted,
        limit: state.limit,
        previous,
        inflight: state.inflight,
      };
      if (reason !== undefined && state.limit !== previous) output.reason = reason;
      return { state, output, ttlMs: config.ttlMs };
    },
  };

  function adapt(
    state: ConcurrencyState,
    input: Extract<ConcurrencyInput, { op: 'release' }>,
    before: number,
    now: number,
  ): LimitChangeReason | undefined {
    if (input.outcome === 'throttled') {
      if (input.inflightAtSend <= 1) return undefined;
      state.slowStart = false;
      state.clean = 0;
      state.changedAt = now;
      state.limit = clamp(Math.min(state.limit, state.inflight), state);
      return 'throttle';
    }
    if (input.outcome !== 'success') return undefined;
    const latency = Math.max(0, input.latencyMs);
    if (state.longLatency === 0) {
      state.shortLatency = latency;
      state.longLatency = latency;
    } else {
      state.shortLatency += (latency - state.shortLatency) * SHORT_WEIGHT;
      state.longLatency += (latency - state.longLatency) * LONG_WEIGHT;
    }
    if (state.shortLatency > config.latencyTolerance * state.longLatency) {
      // HyStart (RFC 9406) leaves slow start when round trips grow, before losses: the same here.
      if (state.slowStart) {
        state.slowStart = false;
        state.changedAt = now;
      }
      return undefined;
    }
    if (before < state.limit && input.waiting === 0) return undefined;
    if (state.slowStart) {
      state.limit = clamp(state.limit + 1, state);
      return 'slow-start';
    }
    state.clean++;
    if (state.clean < state.limit || now - state.changedAt < config.probeIntervalMs)
      return undefined;
    state.clean = 0;
    state.changedAt = now;
    state.limit = clamp(state.limit + 1, state);
    return 'probe';
  }
}
