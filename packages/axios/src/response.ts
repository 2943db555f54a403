import { type HeadersLike, type ResponseInput, shouldClassifyBody } from '@triage/core';
import axios, { type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

/**
 * What classification reads of a response. At adapter level the body is still what the wire
 * carried (a string for `json` and `text`, bytes for `arraybuffer`) because `transformResponse`
 * runs after the adapter: core parses the JSON and vendors parse their XML.
 *
 * axios has buffered the body already; what classification reads of it follows the rule of the
 * fetch and ky adapters, so that all three classify a response alike: at most `limit` bytes (or
 * characters of text), nothing of a body `Content-Length` says is longer, and nothing of a
 * successful body that is not text (a download).
 */
export function responseInput(response: AxiosResponse, limit: number): ResponseInput {
  const headers = headerView(response.headers);
  const input: ResponseInput = { status: response.status, headers };
  // Core cuts the body to the same limit when it classifies (`maxClassifyBytes`).
  if (shouldClassifyBody(response.status, headers, limit)) {
    input.body = readableBody(response.data);
    // Classification leaves its parse here; the caller gets it in place of axios's own.
    if (typeof input.body === 'string' && parsesJson(response.config)) input.parsed = {};
  }
  return input;
}

/** axios's own `transformResponse`, as axios ships it (a user may replace the default later). */
const AXIOS_TRANSFORM = onlyTransform(axios.defaults.transformResponse);

/** The one transform of a `transformResponse` option, if it has exactly one. */
function onlyTransform(option: InternalAxiosRequestConfig['transformResponse']): unknown {
  if (!Array.isArray(option)) return option;
  return option.length === 1 ? option[0] : undefined;
}

/**
 * True when axios would turn this response's text into `JSON.parse(data)` and nothing else: its
 * own `transformResponse` alone, without a `parseReviver`, for `responseType` unset (with
 * `transitional.forcedJSONParsing`) or `json`. Then the object classification parsed is what the
 * caller would get, and handing it over spares a second parse of every body.
 */
function parsesJson(config: InternalAxiosRequestConfig | undefined): boolean {
  if (config === undefined || AXIOS_TRANSFORM === undefined) return false;
  if (onlyTransform(config.transformResponse) !== AXIOS_TRANSFORM) return false;
  if ((config as { parseReviver?: unknown }).parseReviver !== undefined) return false;
  const transitional = config.transitional ?? axios.defaults.transitional;
  const responseType = config.responseType;
  return responseType === 'json' || (!responseType && transitional?.forcedJSONParsing === true);
}

/**
 * Puts classification's parse of a successful response's body in `data`, where axios's
 * `transformResponse` finds it already parsed and passes it through.
 */
export function adoptParsed(response: AxiosResponse, input: ResponseInput | undefined): void {
  const parsed = input?.parsed?.value;
  if (parsed !== undefined && typeof response.data === 'string') response.data = parsed;
}

/** Headers as core reads them: `get` answers one string or `null`. */
type HeaderView = Extract<HeadersLike, { get(name: string): string | null }>;

/** A string, bytes or an already parsed value; never a stream or a Blob, which read only once. */
function readableBody(data: unknown): unknown {
  if (data === null || typeof data !== 'object') return data;
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data;
  if (isStream(data)) return undefined;
  if (typeof Blob !== 'undefined' && data instanceof Blob) return undefined;
  return data;
}

function isStream(data: object): boolean {
  return (
    typeof (data as { pipe?: unknown }).pipe === 'function' ||
    typeof (data as { getReader?: unknown }).getReader === 'function'
  );
}

/**
 * Response headers as core reads them. AxiosHeaders' `get` may answer with an array
 * (`set-cookie`) or `false`; custom adapters may hand over a plain record.
 */
function headerView(headers: AxiosResponse['headers'] | undefined): HeaderView {
  // A mock adapter may leave headers out altogether.
  const source = (headers ?? {}) as Record<string, unknown> & { get?: unknown };
  return {
    get(name: string): string | null {
      // Node's http hands axios lower-cased names, and AxiosHeaders keeps each header as an own
      // property: a direct read, where `get` would scan and lower-case every name each time.
      const value = Object.hasOwn(source, name)
        ? source[name]
        : typeof source.get === 'function'
          ? (source.get as (n: string) => unknown).call(source, name)
          : scan(source, name);
      if (value === undefined || value === null || value === false) return null;
      return Array.isArray(value) ? value.map(String).join(', ') : String(value);
    },
  };
}

function scan(record: Record<string, unknown>, name: string): unknown {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(record)) if (key.toLowerCase() === wanted) return record[key];
  return undefined;
}

/** Frees a response no one will read because another attempt follows (`responseType: 'stream'`). */
export function release(response: AxiosResponse | undefined): void {
  const data: unknown = response?.data;
  if (data === null || typeof data !== 'object' || !isStream(data)) return;
  const stream = data as { destroy?: unknown; cancel?: unknown };
  if (typeof stream.destroy === 'function') (stream.destroy as () => void).call(data);
  else if (typeof stream.cancel === 'function')
    (stream.cancel as () => Promise<void>).call(data).catch(() => {});
}
