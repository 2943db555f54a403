import { redactUrl } from '@triage/core';

/**
 * ky names the request's URL in every error it makes (`HTTPError`, `NetworkError`,
 * `TimeoutError`: "Request failed …: GET https://…?api_key=…"). With a credential in the query
 * (Convio's `api_key`) that message would carry it into logs, into `util.inspect` of the
 * `VendorError` whose cause it is, and, for a timeout, into the classification's message. The URL
 * in the message and the stack is replaced by its redacted form; `error.request` keeps the real
 * one for the caller.
 */
export function redactKyError<E extends Error & { request: Request }>(error: E): E {
  const url = error.request.url;
  const safe = redactUrl(url);
  if (safe === url) return error;
  error.message = error.message.replaceAll(url, safe);
  if (typeof error.stack === 'string') error.stack = error.stack.replaceAll(url, safe);
  return error;
}
