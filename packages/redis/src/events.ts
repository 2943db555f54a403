/** What every event of the store carries. */
export interface RedisStoreEventBase {
  vendor: string;
  /** The account's name or origin (never a credential). */
  account: string;
  /** When it happened, on the store's clock. */
  time: number;
}

/**
 * The account's limits are kept in the local fallback from now on: Redis did not answer within
 * `timeoutMs`, answered with an error, or the client is not connected. Requests go on, limited by
 * this process alone, until a probe finds Redis again.
 */
export interface RedisDegradedEvent extends RedisStoreEventBase {
  type: 'degraded';
  /** `timeout`: no answer within `timeoutMs`; `error`: an error reply or a broken connection; `unavailable`: the client is not connected (reconnecting, closed). */
  reason: 'timeout' | 'error' | 'unavailable';
  /** The error, for `reason: 'error'`. */
  error?: unknown;
}

/** Redis answers again: the account's limits are shared again. */
export interface RedisRecoveredEvent extends RedisStoreEventBase {
  type: 'recovered';
  /** How long the account was on local limits. */
  localMs: number;
}

/** The store's events, through its `onEvent` option. */
export type RedisStoreEvent = RedisDegradedEvent | RedisRecoveredEvent;
