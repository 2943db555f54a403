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
  /** Attempts the vendor served (successful releases), ever: a clock for throttles handled late. */
  served: number;
  /**
   * No slot is used before this time (a `Retry-After`, an exhausted `RateLimit`): kept here too, so
   * that a slot handed to a queued request carries the hold with it, with no other store call.
   */
  holdUntil: number;
}

/** What the limiter is asked. */
export type ConcurrencyInput =
  /** Take up to `want` slots. */
  | { op: 'acquire'; want: number }
  /**
   * Give a slot back with what the attempt came to, and hand freed slots to up to `waiting`
   * queued requests in the same step. With `keep`, the slot is not given back: the client already
   * passed it to the first of its `waiting` requests, so only the others may be granted more.
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
      /** `served` when the attempt got its slot (absent: nothing was served since). */
      servedAtSend?: number;
      waiting: number;
      /** The client passed the slot straight to its next queued request: it stays in flight. */
      keep?: boolean;
    }
  /** The vendor advertised a concurrency quota. */
  | { op: 'ceiling'; max: number }
  /** Use no slot before `until` (an absolute time on the engine's clock). */
  | { op: 'hold'; until: number };

/** The limiter's answer. */
export interface ConcurrencyOutput {
  /** Slots granted: to the caller (`acquire`) or to queued requests (`release`). */
  granted: number;
  limit: number;
  /** The limit before this step. */
  previous: number;
  inflight: number;
  /** Attempts served so far: a granted attempt passes it back as `servedAtSend`. */
  served: number;
  /** Set when `limit !== previous`. */
  reason?: LimitChangeReason;
  /** Set while the account is held: granted slots wait until then. */
  holdUntil?: number;
  /**
   * Set by a shared store while another client waits with fewer slots than its fair share: this
   * client should hold no more than `share` slots, and give back (rather than pass to its own
   * queue) any slot above it. The machine itself never sets it: it knows no clients.
   */
  share?: number;
  /**
   * Set by a shared store when this client waits with fewer slots than its fair share: it should
   * ask again (as a client with no slot does) rather than wait for one of its own to be released,
   * since another client gives back slots for it.
   */
  belowShare?: boolean;
  /**
   * Set by a shared store, for a client that holds slots, while another client waits with none
   * (more clients wait than there are slots): after its turn, this client should give a slot back
   * rather than pass it to its own queue.
   */
  starving?: boolean;
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
 *   other requests still in flight: those the vendor is accepting. A refusal handled late (a busy
 *   client, a slow store) also counts those served since it was sent: they may be answered
 *   already, and the limit must not fall below what the vendor serves. A throttle of a lone
 *   request says nothing about concurrency (it is a rate limit) and leaves the limit alone.
 * - **Probe** +1 only after `probeIntervalMs` since the last change and a full round of clean
 *   completions at the limit, because each rejected probe costs that request the vendor's retry
 *   wait (CO3 code 8: 1 s).
 * - **Latency** (the gradient of a short over a long average, as in Netflix's Gradient2) is a
 *   secondary signal: while it shows queueing the limit does not grow, and slow start ends.
 *
 * Demand matters: the limit grows only when a completion found the limit full or requests
 * queued (RFC 7661's rule for application-limited senders), so idle capacity is not "learned".
 *
 * A release may `keep` its slot: the client handed it to its next request without waiting for the
 * store (a round trip to Redis), and the step counts it as still in flight. The decision is the
 * same as a plain release's whenever the limit is not below the slots in flight, which a throttle
 * never causes; the client does not keep a throttled attempt's slot.
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
    name: 'triage.concurrency/2',
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
      served: 0,
      holdUntil: 0,
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
      } else if (input.op === 'hold') {
        if (input.until > state.holdUntil) state.holdUntil = input.until;
      } else {
        const before = state.inflight;
        if (input.keep === true) {
          want = input.waiting - 1;
        } else {
          state.inflight = Math.max(0, before - 1);
          want = input.waiting;
        }
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
        served: state.served,
      };
      if (reason !== undefined && state.limit !== previous) output.reason = reason;
      if (state.holdUntil > now) output.holdUntil = state.holdUntil;
      return { state, output, ttlMs: Math.max(config.ttlMs, state.holdUntil - now) };
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
      // What the vendor was serving when it refused this one: the others still in flight. If the
      // refusal is handled late (a busy client, a slow store), some of those may have been
      // answered meanwhile: count the ones served since it was sent too, so that a late refusal
      // cannot take the limit below what the vendor serves. Not bounded by the others in flight
      // when it was sent: in a fleet sharing a store, a request granted a slot early may reach
      // the vendor after requests granted later, and that bound took a shared limit to 3 against
      // a vendor that takes 4. A count too high costs one more refusal; too low, a slot for
      // `probeIntervalMs`.
      const since = Math.max(0, state.served - (input.servedAtSend ?? state.served));
      state.limit = clamp(Math.min(state.limit, state.inflight + since), state);
      return 'throttle';
    }
    if (input.outcome !== 'success') return undefined;
    state.served++;
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
