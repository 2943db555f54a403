import type { Category, Classification, Effect, FieldError } from '../types/classification.ts';
import { redactText, redactUrl } from '../utils/redact.ts';
import { TriageError } from './triage-error.ts';

const VENDOR_BRAND: unique symbol = Symbol.for('triage.VendorError') as never;
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Why the engine stopped. */
export type GiveUpReason =
  /** validation and fatal failures are not retried. */
  | 'not-retryable'
  /** the failure may have taken effect and the request is not idempotent. */
  | 'unsafe'
  /** the request body cannot be sent again (a stream). */
  | 'not-replayable'
  /** every allowed retry was used. */
  | 'exhausted'
  /** the next wait would pass the total deadline, or the deadline passed during an attempt. */
  | 'deadline'
  /** the vendor asked for a wait longer than `maxRetryAfterMs`. */
  | 'retry-after-too-long'
  /** credentials were refused and new ones cannot help, or no `auth.refresh` is configured. */
  | 'auth-denied'
  /** refreshed credentials were refused again. */
  | 'auth-exhausted'
  /** `auth.refresh()` failed. */
  | 'auth-refresh-failed'
  /** the vendor account's circuit breaker is open; `retryAfterMs` is the time until a probe. */
  | 'circuit-open'
  /** the vendor account's retry budget is spent: too many retries lately, too few successes. */
  | 'retry-budget-exhausted';

/** The request that failed, safe to show: credentials redacted. */
export interface RequestInfo {
  method: string;
  url: string;
}

/** An RFC 9457 problem-details object, with triage's extension members. */
export interface ProblemDetails {
  type: string;
  title: string;
  status?: number;
  detail: string;
  vendor: string;
  code?: string | number;
  category: Category;
  effect: Effect;
  fields: FieldError[];
  attempts: number;
  retryAfterMs?: number;
}

/** What `new VendorError()` takes besides the classification. */
export interface VendorErrorOptions {
  /** The client's original error, or the response that carried the failure. */
  cause?: unknown;
  /** The client-native response, when there was one. */
  response?: unknown;
  request?: { method: string; url: string | URL };
  /** Attempts made, the first included. @default 1 */
  attempts?: number;
  giveUpReason?: GiveUpReason;
  /** Overrides the wait the caller should respect before trying again. */
  retryAfterMs?: number;
}

const TITLES: Record<Category, string> = {
  retryable: 'Transient vendor failure',
  auth: 'Vendor refused the credentials',
  validation: 'Vendor rejected the request',
  fatal: 'Vendor failure',
};

/**
 * A vendor failure, classified. Carries the vendor's code and message, the HTTP status, the
 * field errors and the original response or error as `cause`; never a credential.
 */
export class VendorError extends TriageError {
  override name: string = 'VendorError';
  readonly vendor: string;
  readonly category: Category;
  readonly code: string | number | undefined;
  readonly status: number | undefined;
  readonly fields: FieldError[];
  readonly retryAfterMs: number | undefined;
  readonly effect: Effect;
  readonly refreshable: boolean | undefined;
  readonly attempts: number;
  readonly giveUpReason: GiveUpReason | undefined;
  /** The whole classification the decision was made from. */
  readonly classification: Classification;
  /** The client-native response, when there was one (not enumerable). */
  declare readonly response: unknown;
  /** Method and URL, credentials redacted. */
  readonly request: RequestInfo | undefined;

  constructor(classification: Classification, options: VendorErrorOptions = {}) {
    const attempts = options.attempts ?? 1;
    super(describe(classification, attempts, options.giveUpReason), { cause: options.cause });
    this.vendor = classification.vendor;
    this.category = classification.category;
    this.code = classification.code;
    this.status = classification.status;
    this.fields = classification.fields.map((field) => ({ ...field }));
    this.retryAfterMs = options.retryAfterMs ?? classification.retryAfterMs;
    this.effect = classification.effect;
    this.refreshable = classification.refreshable;
    this.attempts = attempts;
    this.giveUpReason = options.giveUpReason;
    this.classification = classification;
    this.request =
      options.request === undefined
        ? undefined
        : { method: options.request.method.toUpperCase(), url: redactUrl(options.request.url) };
    // Responses hold request configs with credentials: keep them reachable, but out of
    // JSON.stringify, object spread and enumeration.
    Object.defineProperty(this, 'response', { value: options.response, enumerable: false });
    Object.defineProperty(this, VENDOR_BRAND, { value: true });
  }

  /** An RFC 9457 problem-details object (`application/problem+json`). */
  toJSON(): ProblemDetails {
    const problem: ProblemDetails = {
      type: `urn:triage:category:${this.category}`,
      title: TITLES[this.category],
      detail: this.message,
      vendor: this.vendor,
      category: this.category,
      effect: this.effect,
      fields: this.fields.map((field) => ({ ...field })),
      attempts: this.attempts,
    };
    if (this.status !== undefined) problem.status = this.status;
    if (this.code !== undefined) problem.code = this.code;
    if (this.retryAfterMs !== undefined) problem.retryAfterMs = this.retryAfterMs;
    return problem;
  }

  /** Node's `util.inspect`: the problem details and the stack, never the raw cause or response. */
  [INSPECT](): string {
    const cause =
      this.cause instanceof Error
        ? redactText(`${this.cause.name}: ${this.cause.message}`)
        : typeof this.cause;
    return `${this.stack ?? `${this.name}: ${this.message}`}\n${JSON.stringify({ ...this.toJSON(), request: this.request, cause }, null, 2)}`;
  }
}

function describe(c: Classification, attempts: number, reason: GiveUpReason | undefined): string {
  const code = c.code === undefined ? '' : ` ${c.code}`;
  const status = c.status === undefined ? '' : `, HTTP ${c.status}`;
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  const why = reason === undefined ? '' : `, ${reason}`;
  return `${c.vendor}${code}: ${c.message} (${c.category}${status}, ${tries}${why})`;
}

/** True for a `VendorError` from any realm or any copy of this package. */
export function isVendorError(value: unknown): value is VendorError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[VENDOR_BRAND] === true
  );
}
