import type { Classification } from '../types/classification.ts';
import type { StateMachine, Transition } from './state-store.ts';

/** The circuit breaker of one vendor account. Normalized: every field set. */
export interface BreakerConfig {
  /** Failures are counted over a sliding window this long. */
  windowMs: number;
  /** No opening on fewer attempts than this in the window: a few failures are not "sustained". */
  minimumRequests: number;
  /** The circuit opens when at least this share of the window's attempts failed. */
  failureRatio: number;
  /** How long the circuit stays open the first time; it doubles after each failed probe. */
  openMs: number;
  maxOpenMs: number;
  /** A half-open probe that has not reported after this long lets another request probe. */
  probeTimeoutMs: number;
  /** An open (or half-open) account is remembered this long after its last use. */
  ttlMs: number;
}

/** `closed`: requests flow; `open`: they fail fast; `half-open`: one probe request is let through. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** The breaker's record for one account. */
export interface BreakerState {
  state: CircuitState;
  /** A sliding window counter: the current fixed window and the one before it. */
  windowStart: number;
  failures: number;
  total: number;
  previousFailures: number;
  previousTotal: number;
  openUntil: number;
  /** The current open period (doubled after each failed probe). */
  openMs: number;
  /** While half-open: when the probe under way is given up on. */
  probeUntil: number;
}

/** What the breaker is asked. */
export type BreakerInput =
  /** May a request be sent? */
  | { op: 'admit' }
  /** An attempt's outcome: `failure` per {@link isBreakerFailure}; `probe` if it was the probe. */
  | { op: 'record'; failure: boolean; probe: boolean }
  /** The attempt ended without an outcome (aborted by the caller). */
  | { op: 'cancel'; probe: boolean };

/** The breaker's answer. */
export interface BreakerOutput {
  /** `admit`: the request may be sent. */
  allowed: boolean;
  /** `admit`: it is the half-open probe; its outcome decides. */
  probe: boolean;
  state: CircuitState;
  /** The state before this step. */
  previous: CircuitState;
  /** `admit` when refused: how long until a probe may be sent. */
  retryAfterMs: number;
  /** The window's weighted failure ratio and attempt count, after this step. */
  failureRatio: number;
  requests: number;
}

/**
 * Whether an attempt's failure counts against the vendor's health: a 5xx, a failure without a
 * response (network, timeout), or a `fatal` failure of unknown effect (something broke on the
 * vendor's side). Not counted: validation and auth failures (the caller's request or
 * credentials), throttles below 500 (CO3 code 8, HTTP 429: the vendor is alive and shedding load,
 * which the concurrency limiter handles), and definite answers (`fatal` with effect `none`).
 */
export function isBreakerFailure(c: Classification): boolean {
  if (c.status !== undefined && c.status >= 500) return true;
  if (c.source === 'network' || c.source === 'timeout') return true;
  return c.category === 'fatal' && c.effect === 'unknown';
}

/**
 * The circuit breaker as a state machine. Closed, it counts attempts over a sliding window
 * (two fixed windows, the older weighted by its overlap); when at least `minimumRequests`
 * attempts were made and `failureRatio` of them failed, it opens: requests fail fast for
 * `openMs`. Then one request is let through as a probe (half-open): its success closes the
 * circuit, its failure opens it again for twice as long (up to `maxOpenMs`).
 */
export function breakerMachine(config: BreakerConfig): StateMachine<
  BreakerState,
  BreakerInput,
  BreakerOutput
> & {
  readonly config: BreakerConfig;
} {
  function roll(s: BreakerState, now: number): void {
    const elapsed = now - s.windowStart;
    if (elapsed < config.windowMs) return;
    if (elapsed < 2 * config.windowMs) {
      s.previousFailures = s.failures;
      s.previousTotal = s.total;
      s.windowStart += config.windowMs;
    } else {
      s.previousFailures = 0;
      s.previousTotal = 0;
      s.windowStart = now;
    }
    s.failures = 0;
    s.total = 0;
  }

  function reset(s: BreakerState, now: number): void {
    s.windowStart = now;
    s.failures = 0;
    s.total = 0;
    s.previousFailures = 0;
    s.previousTotal = 0;
  }

  function open(s: BreakerState, now: number, openMs: number): void {
    s.state = 'open';
    s.openMs = Math.min(config.maxOpenMs, openMs);
    s.openUntil = now + s.openMs;
    s.probeUntil = 0;
    reset(s, now);
  }

  return {
    name: 'triage.breaker/1',
    config,
    initial: (now) => ({
      state: 'closed',
      windowStart: now,
      failures: 0,
      total: 0,
      previousFailures: 0,
      previousTotal: 0,
      openUntil: 0,
      openMs: config.openMs,
      probeUntil: 0,
    }),
    step(s, input, now): Transition<BreakerState, BreakerOutput> {
      const previous = s.state;
      if (s.state === 'closed') roll(s, now);
      let allowed = true;
      let probe = false;
      let retryAfterMs = 0;
      if (input.op === 'admit') {
        if (s.state === 'open' && now >= s.openUntil) s.state = 'half-open';
        if (s.state === 'open') {
          allowed = false;
          retryAfterMs = s.openUntil - now;
        } else if (s.state === 'half-open') {
          if (now >= s.probeUntil) {
            probe = true;
            s.probeUntil = now + config.probeTimeoutMs;
          } else {
            allowed = false;
            retryAfterMs = s.probeUntil - now;
          }
        }
      } else if (input.op === 'cancel') {
        if (input.probe && s.state === 'half-open') s.probeUntil = 0;
      } else if (s.state === 'closed') {
        s.total++;
        if (input.failure) s.failures++;
        const { ratio, requests } = weighted(s, now);
        if (requests >= config.minimumRequests && ratio >= config.failureRatio)
          open(s, now, config.openMs);
      } else if (input.probe && s.state === 'half-open') {
        if (input.failure) {
          open(s, now, s.openMs * 2);
        } else {
          s.state = 'closed';
          s.openMs = config.openMs;
          reset(s, now);
        }
      }
      const { ratio, requests } = weighted(s, now);
      // Closed, only the two windows matter; open, the doubled period must outlive a quiet spell.
      const ttlMs =
        s.state === 'closed'
          ? 2 * config.windowMs
          : Math.max(config.ttlMs, Math.max(s.openUntil, s.probeUntil) - now);
      return {
        state: s,
        output: {
          allowed,
          probe,
          state: s.state,
          previous,
          retryAfterMs,
          failureRatio: ratio,
          requests,
        },
        ttlMs,
      };
    },
  };

  function weighted(s: BreakerState, now: number): { ratio: number; requests: number } {
    const overlap = Math.max(0, 1 - (now - s.windowStart) / config.windowMs);
    const requests = s.total + s.previousTotal * overlap;
    const failures = s.failures + s.previousFailures * overlap;
    return { ratio: requests === 0 ? 0 : failures / requests, requests };
  }
}
