import {
  type AttemptContext,
  type AttemptOutcome,
  type AttemptRequest,
  copyHeaders,
  createEngine,
  type EngineRequest,
  MAX_CLASSIFY_BYTES,
  readResponse,
  type TriageOptions,
  type TriageRequestOptions,
} from '@triage/core';
import { applicableBody, replayability } from './body.ts';

/** Options of {@link createTriageFetch}: the core options, plus the fetch to wrap. */
export interface TriageFetchOptions extends TriageOptions {
  /**
   * The fetch to wrap.
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch;
}

/** `RequestInit` with triage's per-request options. */
export interface TriageRequestInit extends RequestInit {
  /** Per-request retry options, idempotency and events. */
  triage?: TriageRequestOptions;
}

/** fetch's signature: resolves with the `Response` unless it is a vendor error. */
export type TriageFetch = (
  input: string | URL | Request,
  init?: TriageRequestInit,
) => Promise<Response>;

/**
 * Wraps fetch: every response is classified (errors inside 200 bodies too); retryable failures
 * are retried under the vendor's policy; a failure rejects with a `VendorError`; a success resolves
 * with the `Response`. Classification reads a bounded prefix of a text body; the caller still
 * reads all of it, once, as from fetch itself (a body within `maxClassifyBytes` is answered from
 * the bytes already read).
 *
 * @example
 * ```ts
 * import { createTriageFetch } from '@triage/fetch';
 * import { convio } from '@triage/vendors/convio';
 *
 * const fetch = createTriageFetch({ vendor: convio, retry: { retries: 2 } });
 * const res = await fetch('https://secure.example.org/site/CRConsAPI', { method: 'POST', body });
 * const data = await res.json();
 * ```
 */
export function createTriageFetch(options: TriageFetchOptions): TriageFetch {
  const engine = createEngine(options);
  const limit = options.maxClassifyBytes ?? MAX_CLASSIFY_BYTES;

  // Not `async`: on the path every request takes, each promise hop is CPU time the bare fetch does
  // not spend (issue #6, benchmark 3).
  return function triageFetch(input, init = {}) {
    try {
      // A Request's body is a stream that can be read once: read it once, replay the bytes.
      if (input instanceof Request && init.body === undefined && input.body !== null) {
        return input
          .clone()
          .arrayBuffer()
          .then((buffer) => run(input, init, new Uint8Array(buffer)));
      }
      return run(input, init, init.body);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  function run(
    input: string | URL | Request,
    init: TriageRequestInit,
    body: BodyInit | null | undefined,
  ): Promise<Response> {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const triage = init.triage;
    let requestInit: RequestInit = init;
    if (triage !== undefined) {
      const { triage: _, ...rest } = init;
      requestInit = rest;
    }
    const merged: RequestInit =
      input instanceof Request ? { ...requestDefaults(input), ...requestInit } : requestInit;
    const url = input instanceof Request ? input.url : String(input);
    const method = (merged.method ?? 'GET').toUpperCase();
    const signal = merged.signal ?? undefined;
    const original = applicableBody(body);
    // While no `auth.apply` changes an attempt, fetch gets the caller's own headers init, which it
    // converts once, as without triage; the engine's copy is made only if it asks for it. A
    // `Request`'s headers always go as the copy (see `copyHeaders` for why).
    const ownHeaders = !(input instanceof Request);

    async function send(
      request: AttemptRequest,
      context: AttemptContext,
    ): Promise<AttemptOutcome<Response>> {
      // The body as `auth.apply` left it when it could see it; any other kind as the caller gave it.
      const attemptBody = request.body !== original ? request.body : body;
      const attemptInit: RequestInit = {
        ...merged,
        method: request.method,
        headers: ownHeaders && !context.changed ? merged.headers : request.headers,
      };
      if (attemptBody !== undefined && attemptBody !== null)
        attemptInit.body = attemptBody as BodyInit;
      if (context.signal !== undefined) attemptInit.signal = context.signal;
      let response: Response;
      try {
        response = await fetchImpl(request.url.href, attemptInit);
      } catch (error) {
        return { error };
      }
      try {
        const read = await readResponse(response, limit);
        return { response: read.response, input: read.input };
      } catch (error) {
        // The body broke off mid-read (a reset): the server answered, then the connection died.
        return { error, response };
      }
    }

    const request: EngineRequest<Response> = {
      method,
      url,
      headers: () => copyHeaders(merged.headers),
      replayable: replayability(body),
      ...triage,
      send,
      discard,
    };
    if (original !== undefined) request.body = original;
    if (signal !== undefined) request.signal = signal;
    return engine.execute(request);
  }
}

/** Frees the connection of a response no one will read because another attempt follows. */
function discard(outcome: AttemptOutcome<Response>): void {
  outcome.response?.body?.cancel().catch(() => {});
}

/** The init a `Request` given as input stands for (its body is read separately). */
function requestDefaults(request: Request): RequestInit {
  return {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    cache: request.cache,
    credentials: request.credentials,
    integrity: request.integrity,
    keepalive: request.keepalive,
    mode: request.mode,
    redirect: request.redirect,
    referrer: request.referrer,
    referrerPolicy: request.referrerPolicy,
  };
}
