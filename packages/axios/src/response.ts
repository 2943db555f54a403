import { type HeadersLike, type ResponseInput, shouldClassifyBody } from '@triage/core';
import type { AxiosResponse } from 'axios';

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
  if (shouldClassifyBody(response.status, headers, limit)) input.body = readableBody(response.data);
  return input;
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
      const value =
        typeof source.get === 'function'
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
