import type { GiveUpReason, RequestInfo } from '../errors/vendor-error.ts';
import type { Category, Classification } from './classification.ts';

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

/** Every event the engine emits through `onEvent`. */
export type TriageEvent =
  | ClassifiedEvent
  | RetryEvent
  | AuthRefreshEvent
  | GiveUpEvent
  | RecoveredEvent;

/** Receives events. A listener that throws is ignored: telemetry never breaks a request. */
export type EventListener = (event: TriageEvent) => void;
