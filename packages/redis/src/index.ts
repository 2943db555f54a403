export { createRedisStore, type RedisStore } from './create-redis-store.ts';
export type {
  RedisDegradedEvent,
  RedisRecoveredEvent,
  RedisStoreEvent,
  RedisStoreEventBase,
} from './events.ts';
export { accountTag, recordKey } from './keys.ts';
export {
  type NormalizedRedisStoreOptions,
  normalizeRedisStoreOptions,
  REDIS_STORE_DEFAULTS,
  type RedisStoreOptions,
} from './options.ts';
export type { RedisClient } from './redis-client.ts';
