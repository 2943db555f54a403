/** Response headers as clients hand them over: a `Headers`, or a plain record (axios). */
export type HeadersLike =
  | Headers
  | { get(name: string): string | null }
  | Record<string, string | readonly string[] | number | undefined | null>;

/**
 * The body parsed as JSON, shared between classification and the caller so that a body is parsed
 * once, not once for each. `value`, once set, is exactly `JSON.parse(body)` of the whole `body`
 * string: set by an adapter whose client parses the body anyway (axios), or by classification for
 * an adapter that hands the caller a body it has read (fetch: the caller's `json()`).
 */
export interface ParsedBody {
  value?: unknown;
}

/** A response to classify. */
export interface ResponseInput {
  status: number;
  headers?: HeadersLike;
  /** The body: text, bytes, or a value the client already parsed (axios parses JSON). */
  body?: unknown;
  method?: string;
  /** A parse of `body` to use, or to fill, instead of parsing it again. */
  parsed?: ParsedBody;
}

/** A failure without a response: network error, timeout, abort. */
export interface FailureInput {
  error: unknown;
  method?: string;
}

/** What `classify()` accepts. */
export type ClassifyInput = ResponseInput | FailureInput;

/** Context a classification may need beyond the input itself. */
export interface ClassifyContext {
  /** Current time in ms since the epoch, for Retry-After HTTP-dates. @default Date.now() */
  now?: number;
}

/** True when the input is a response (it has a numeric status). */
export function isResponseInput(input: ClassifyInput): input is ResponseInput {
  return typeof (input as ResponseInput).status === 'number';
}
