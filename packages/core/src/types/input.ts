/** Response headers as clients hand them over: a `Headers`, or a plain record (axios). */
export type HeadersLike =
  | Headers
  | { get(name: string): string | null }
  | Record<string, string | readonly string[] | number | undefined | null>;

/** A response to classify. */
export interface ResponseInput {
  status: number;
  headers?: HeadersLike;
  /** The body: text, bytes, or a value the client already parsed (axios parses JSON). */
  body?: unknown;
  method?: string;
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
