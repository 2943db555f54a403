// The public API of @triage/core: an explicit list, types exported as types.

export type { AttemptRequest, AuthHooks } from './auth/auth-hooks.ts';
export { CredentialRefresher, type RefreshOutcome } from './auth/refresher.ts';
export { NETWORK_RULES } from './classify/network-errors.ts';
export { ruleForStatus, STATUS_RULES } from './classify/status-rules.ts';
export {
  type AttemptContext,
  type AttemptOutcome,
  createEngine,
  type Engine,
  type EngineRequest,
} from './engine/engine.ts';
export type { TriageOptions, TriageRequestOptions } from './engine/options.ts';
export { isTriageError, TriageError } from './errors/triage-error.ts';
export {
  type GiveUpReason,
  isVendorError,
  type ProblemDetails,
  type RequestInfo,
  VendorError,
  type VendorErrorOptions,
} from './errors/vendor-error.ts';
export type {
  AccountLimits,
  Admission,
  AdmissionContext,
  AttemptReport,
  Permit,
  Refusal,
} from './limits/admission.ts';
export {
  type BreakerConfig,
  type BreakerInput,
  type BreakerOutput,
  type BreakerState,
  breakerMachine,
  type CircuitState,
  isBreakerFailure,
} from './limits/circuit-breaker.ts';
export {
  type ConcurrencyConfig,
  type ConcurrencyInput,
  type ConcurrencyOutput,
  type ConcurrencyState,
  concurrencyMachine,
  type LimitChangeReason,
} from './limits/concurrency-limiter.ts';
export { createMemoryStore, type MemoryStore } from './limits/memory-store.ts';
export {
  type AdaptiveConcurrencyOptions,
  type CircuitBreakerOptions,
  DEFAULT_LIMITS,
  hasThrottleCodes,
  type LimitsOptions,
  type NormalizedLimits,
  normalizeLimits,
  type RequestLimitsOptions,
  type RetryBudgetOptions,
} from './limits/options.ts';
export {
  createRateDiscovery,
  DISCOVERY,
  type DiscoveryChange,
  discoveredRates,
  discoverySuccess,
  discoveryThrottle,
  observeRates,
  type RateDiscovery,
  recentSuccesses,
  type SharedRate,
  sharedRate,
} from './limits/rate-discovery.ts';
export { parseRateLimitHeaders, type RateLimitInfo } from './limits/rate-limit-headers.ts';
export {
  MAX_PACE_LOG,
  type PaceConfig,
  type PaceInput,
  type PaceOutput,
  type PaceState,
  paceMachine,
} from './limits/rate-pacer.ts';
export {
  type BudgetConfig,
  type BudgetInput,
  type BudgetOutput,
  type BudgetState,
  budgetMachine,
} from './limits/retry-budget.ts';
export {
  isPromiseLike,
  type MaybePromise,
  type StateKey,
  type StateKind,
  type StateMachine,
  type StateStore,
  type Transition,
} from './limits/state-store.ts';
export { type BackoffStep, backoffDelay } from './retry/backoff.ts';
export { type Decision, type DecisionState, decide } from './retry/decide.ts';
export { isIdempotent } from './retry/idempotency.ts';
export {
  type CategoryRetryOptions,
  DEFAULT_RETRY,
  type Jitter,
  type NormalizedRetry,
  normalizeRetry,
  type RetryInput,
  type RetryOptions,
} from './retry/options.ts';
export type {
  Category,
  Classification,
  CodeRetryPolicy,
  Effect,
  FieldError,
} from './types/classification.ts';
export type {
  AdmittedEvent,
  AuthRefreshEvent,
  CircuitEvent,
  ClassifiedEvent,
  EventBase,
  EventListener,
  GiveUpEvent,
  HoldEvent,
  LimitEvent,
  LimiterEventBase,
  RateEvent,
  RecoveredEvent,
  RetryBudgetEvent,
  RetryEvent,
  TriageEvent,
  WaitEvent,
} from './types/events.ts';
export {
  type ClassifyContext,
  type ClassifyInput,
  type FailureInput,
  type HeadersLike,
  isResponseInput,
  type ParsedBody,
  type ResponseInput,
} from './types/input.ts';
export type {
  CodeOverride,
  CodeRule,
  CodeTable,
  Detection,
  Overrides,
  ProfileClassifyOptions,
  RateSpec,
  ResponseView,
  VendorProfile,
  VendorRetryDefaults,
  VendorSpec,
} from './types/vendor.ts';
export { createResponseView, MAX_CLASSIFY_BYTES } from './utils/body.ts';
export { type Clock, sleep, systemClock } from './utils/clock.ts';
export { credentialValues, scrubClassification } from './utils/credentials.ts';
export { copyHeaders, readHeader } from './utils/headers.ts';
export { isSensitiveName, REDACTED, redactText, redactUrl } from './utils/redact.ts';
export {
  type BodyPrefix,
  type ResponseRead,
  readBodyPrefix,
  readResponse,
  responseMediaType,
  shouldClassifyBody,
  shouldReadBody,
} from './utils/response-prefix.ts';
export { parseRetryAfter } from './utils/retry-after.ts';
export { defineVendor, isVendorProfile } from './vendor/define-vendor.ts';
export { http } from './vendor/http.ts';
