import type { HeadersLike } from '../types/input.ts';

/**
 * Reads one header from a `Headers`, a `get()`-able object or a plain record (axios), matching the
 * name case-insensitively. Arrays are joined with `, ` as RFC 9110 §5.3 allows.
 */
export function readHeader(headers: HeadersLike | undefined, name: string): string | undefined {
  if (headers === undefined || headers === null || typeof headers !== 'object') return undefined;
  const getter = (headers as { get?: unknown }).get;
  if (typeof getter === 'function') {
    const value = (getter as (n: string) => unknown).call(headers, name);
    if (value !== null && value !== undefined) return String(value);
    // axios's AxiosHeaders has get() too, but plain records fall through to the scan below.
    if (headers instanceof Headers) return undefined;
  }
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = (headers as Record<string, unknown>)[key];
    if (value === undefined || value === null) return undefined;
    return Array.isArray(value) ? value.map(String).join(', ') : String(value);
  }
  return undefined;
}

/**
 * Copies headers by iterating them. `new Headers(request.headers)` can come back empty when a
 * request interceptor (msw 3's fetch interceptor) has patched `Request`: iteration never does.
 */
export function copyHeaders(source: Headers | HeadersInit | undefined): Headers {
  if (source === undefined) return new Headers();
  if (typeof (source as Headers).forEach !== 'function' || Array.isArray(source)) {
    return new Headers(source);
  }
  const copy = new Headers();
  (source as Headers).forEach((value, name) => {
    copy.append(name, value);
  });
  return copy;
}
