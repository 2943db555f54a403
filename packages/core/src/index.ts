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
  AuthRefreshEvent,
  ClassifiedEvent,
  EventBase,
  EventListener,
  GiveUpEvent,
  RecoveredEvent,
  RetryEvent,
  TriageEvent,
} from './types/events.ts';
export {
  type ClassifyContext,
  type ClassifyInput,
  type FailureInput,
  type HeadersLike,
  isResponseInput,
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
export { copyHeaders, readHeader } from './utils/headers.ts';
export { isSensitiveName, REDACTED, redactUrl } from './utils/redact.ts';
export { parseRetryAfter } from './utils/retry-after.ts';
export { defineVendor, isVendorProfile } from './vendor/define-vendor.ts';
export { http } from './vendor/http.ts';
