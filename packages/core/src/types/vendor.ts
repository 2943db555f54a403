import type {
  Category,
  Classification,
  CodeRetryPolicy,
  Effect,
  FieldError,
} from './classification.ts';
import type { ClassifyContext, ClassifyInput } from './input.ts';

/**
 * One row of a vendor table: what a code means.
 *
 * @example
 * ```ts
 * const rule: CodeRule = { category: 'retryable', throttle: true, reason: 'Rate limit (page: code 8)' };
 * ```
 */
export interface CodeRule {
  category: Category;
  /** @default the vendor's `effect`, else `none` for validation and auth, `unknown` otherwise */
  effect?: Effect;
  /** For `auth` rows: new credentials may fix it. @default false */
  refreshable?: boolean;
  /** The vendor is shedding load. @default false */
  throttle?: boolean;
  /** Why: cite the vendor page. */
  reason: string;
  /** Vendor limits on retrying this code. */
  retry?: CodeRetryPolicy;
  /**
   * For codes whose meaning depends on more than the code (SimplyBook -32600 by message,
   * Convio 101 by reason): the first variant whose `when` accepts the detection wins.
   */
  when?: (detected: Detection) => boolean;
}

/** A table of codes: the code as a string key → one rule, or variants tried in order. */
export type CodeTable = Readonly<Record<string, CodeRule | readonly CodeRule[]>>;

/** What a vendor's detector found in a response. */
export interface Detection {
  /** The code as it appeared on the wire (number or string). */
  code: string | number;
  /** The vendor's message. */
  message?: string;
  /** A secondary code that picks a variant (Convio 101's `reason`). */
  subcode?: string;
  fields?: FieldError[];
  /** A wait the body asked for. */
  retryAfterMs?: number;
}

/** The response as a detector sees it: lazy, bounded, never throwing. */
export interface ResponseView {
  readonly status: number;
  readonly method: string | undefined;
  /** A header value, case-insensitive; several values joined by `, `. */
  header(name: string): string | undefined;
  /** The media type without parameters, lower-cased (`application/json`). */
  readonly contentType: string | undefined;
  /** The body as text, decoded as UTF-8 and cut to the bounded prefix; `''` when there is none. */
  text(): string;
  /** The body parsed as JSON (or as the client parsed it); `undefined` when it is not JSON. */
  json(): unknown;
  /** The body as the client handed it over. */
  readonly raw: unknown;
}

/** A user's adjustment of one code: a new category, or a partial rule. */
export type CodeOverride = Category | Partial<Omit<CodeRule, 'when'>>;

/** Per-code overrides, keyed by the code as it appears (`{ 202: 'fatal' }`). */
export type Overrides = Readonly<Record<string | number, CodeOverride>>;

/** A documented request rate, for pacing. */
export interface RateSpec {
  requests: number;
  perMs: number;
}

/** What `defineVendor()` takes. */
export interface VendorSpec {
  /** The vendor's name, carried on every classification. */
  name: string;
  /** Code → meaning. Keys are the code as a string (`'-32600'`, `'8'`, `'expired_token'`). */
  codes?: CodeTable;
  /**
   * Finds the vendor's error in a response, or returns `undefined` when the response is not one
   * of the vendor's errors. It may throw; the profile treats a throw as "nothing found".
   */
  detect?: (response: ResponseView) => Detection | undefined;
  /** The effect of every code in the table unless a row says otherwise (CO3: `none`). */
  effect?: Effect;
  /**
   * How the vendor's HTTP statuses differ from the generic profile (`{ 500: { category:
   * 'fatal' } }`). Applies when no vendor code was found.
   */
  statuses?: Readonly<Record<number, Partial<Omit<CodeRule, 'when'>>>>;
  /** The vendor's documented rate, for pacing. */
  rate?: RateSpec;
  /** Retry defaults the vendor demands (a minimum delay, fewer retries). */
  retry?: VendorRetryDefaults;
}

/** Retry options a vendor profile may set as defaults. */
export interface VendorRetryDefaults {
  retries?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** Options of `profile.classify()`. */
export interface ProfileClassifyOptions extends ClassifyContext {
  /**
   * Fall back to HTTP status and network error rules when the vendor's detector finds nothing.
   * @default true
   */
  fallback?: boolean;
  /**
   * How many bytes of the body classification reads.
   * @default 262144 (MAX_CLASSIFY_BYTES)
   */
  maxBytes?: number;
}

/** A vendor's knowledge, ready to classify. Made by `defineVendor()`. */
export interface VendorProfile {
  readonly name: string;
  readonly codes: CodeTable;
  readonly rate: RateSpec | undefined;
  readonly retry: VendorRetryDefaults | undefined;
  /**
   * Classifies a response or a failure. `undefined` means "not an error". Pure; never throws.
   */
  classify(input: ClassifyInput, options?: ProfileClassifyOptions): Classification | undefined;
  /** A copy of this profile with codes re-classified by the user. */
  withOverrides(overrides: Overrides): VendorProfile;
}
