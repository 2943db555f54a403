import type { GiveUpReason, RequestInfo } from '../errors/vendor-error.ts';
import type { CircuitState } from '../limits/circuit-breaker.ts';
import type { LimitChangeReason } from '../limits/concurrency-limiter.ts';
import type { Category, Classification } from './classification.ts';
import type { RateSpec } from './vendor.ts';

/** What every event carries. Plain data, safe to log or export as telemetry: no credentials. */
export interface EventBase {
  /** The profile that classified the failure, or the first configured profile. */
  vendor: string;
  /** The clock's time when the event happened. */
  time: number;
  /** The attempt the event is about, 1 for the first. */
  attempt: number;
  /** Method and URL, credentials redacted. */
  request: RequestInfo;
}

/** An attempt failed and was classified. */
export interface ClassifiedEvent extends EventBase {
  type: 'classified';
  classification: Classification;
}

/** The engine will retry after `delayMs`. */
export interface RetryEvent extends EventBase {
  type: 'retry';
  delayMs: number;
  category: Category;
  code?: string | number;
  /** Why it waits that long: the backoff, or the vendor's Retry-After. */
  reason: 'backoff' | 'retry-after';
  /** Tokens left in the account's retry budget after this retry took its share. */
  budgetTokens?: number;
}

/** Credentials were refreshed after an auth failure, or a refresh already under way was joined. */
export interface AuthRefreshEvent extends EventBase {
  type: 'auth-refresh';
  /**
   * `refreshed`: this request ran `auth.refresh()`; `joined`: it waited for one under way;
   * `reused`: another request had already refreshed since this attempt was sent; `failed`: it threw.
   */
  outcome: 'refreshed' | 'joined' | 'reused' | 'failed';
}

/** The engine stopped and rejects with a `VendorError`. */
export interface GiveUpEvent extends EventBase {
  type: 'give-up';
  reason: GiveUpReason;
  classification: Classification;
}

/** A request succeeded after at least one failed attempt. */
export interface RecoveredEvent extends EventBase {
  type: 'recovered';
  /** Milliseconds from the first attempt to the success. */
  elapsedMs: number;
}

/**
 * What every limiter event carries besides the base: the account whose limits decided. `vendor`
 * is the vendor whose limits they are (the first profile).
 */
export interface LimiterEventBase extends EventBase {
  /** The account (by default the request's origin): never a credential. */
  account: string;
}

/** The account's concurrency limit changed. */
export interface LimitEvent extends LimiterEventBase {
  type: 'limit';
  limit: number;
  previous: number;
  reason: LimitChangeReason;
  /** Slots held (by every client sharing the store) after the change. */
  inflight: number;
}

/**
 * The account is paced by these rates too: the vendor advertised them (`RateLimit-Policy`), or
 * they were discovered from throttles (`limits.rate: 'adaptive'`).
 */
export interface RateEvent extends LimiterEventBase {
  type: 'rate';
  rates: RateSpec[];
  /** `headers`: advertised; `throttles`: discovered, lower after a throttle, higher after a second without. */
  source: 'headers' | 'throttles';
}

/**
 * The account starts nothing for `delayMs`: a throttle carried `Retry-After`, the vendor said
 * its quota is used up (`RateLimit: …;r=0;t=…`, `X-RateLimit-Remaining: 0`), or (`throttle`) a
 * throttle that said neither began rate discovery.
 */
export interface HoldEvent extends LimiterEventBase {
  type: 'hold';
  delayMs: number;
  reason: 'retry-after' | 'ratelimit' | 'throttle';
}

/** The attempt waits before it is sent. An attempt admitted at once emits nothing. */
export interface WaitEvent extends LimiterEventBase {
  type: 'wait';
  /**
   * `concurrency`: every slot is taken, it queues (FIFO); `rate`: pacing; `hold`: the account is
   * held.
   */
  reason: 'concurrency' | 'rate' | 'hold';
  /** `rate` and `hold`: the exact wait. A queued attempt waits until a slot frees. */
  delayMs?: number;
  /** `concurrency`: the limit, the slots held, and the attempts queued ahead of this one. */
  limit?: number;
  inflight?: number;
  queued?: number;
}

/** An attempt that waited is sent. */
export interface AdmittedEvent extends LimiterEventBase {
  type: 'admitted';
  /** From its first wait to now. */
  waitedMs: number;
}

/** The retry budget refused a retry: the request gives up (`retry-budget-exhausted`). */
export interface RetryBudgetEvent extends LimiterEventBase {
  type: 'retry-budget';
  decision: 'exhausted';
  /** Tokens left, fewer than `cost`. */
  tokens: number;
  cost: number;
}

/** The account's circuit breaker decided. */
export interface CircuitEvent extends LimiterEventBase {
  type: 'circuit';
  /**
   * `opened`: too many failures (or the probe failed); `half-open`: this attempt is the probe;
   * `closed`: the probe succeeded; `rejected`: the circuit is open, the request fails fast.
   */
  decision: 'opened' | 'half-open' | 'closed' | 'rejected';
  state: CircuitState;
  /** The window's failure ratio and attempts (weighted) when it decided. */
  failureRatio: number;
  requests: number;
  /** `opened`, `rejected`: time until a probe may be sent. */
  retryAfterMs?: number;
}

/** Every event the engine emits through `onEvent`. */
export type TriageEvent =
  | ClassifiedEvent
  | RetryEvent
  | AuthRefreshEvent
  | GiveUpEvent
  | RecoveredEvent
  | LimitEvent
  | RateEvent
  | HoldEvent
  | WaitEvent
  | AdmittedEvent
  | RetryBudgetEvent
  | CircuitEvent;

/** Receives events. A listener that throws is ignored: telemetry never breaks a request. */
export type EventListener = (event: TriageEvent) => void;
