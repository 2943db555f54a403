import {
  type AttemptOutcome,
  type AttemptRequest,
  copyHeaders,
  createEngine,
  MAX_CLASSIFY_BYTES,
  readBodyPrefix,
  shouldReadBody,
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
 * with the `Response`, its body unread.
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

  return async function triageFetch(input, init = {}) {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const { triage, ...requestInit } = init;
    const fromRequest = input instanceof Request ? requestDefaults(input) : undefined;
    const merged: RequestInit = { ...fromRequest, ...requestInit };
    let body = requestInit.body;
    // A Request's body is a stream that can be read once: read it once, replay the bytes.
    if (body === undefined && input instanceof Request && input.body !== null) {
      body = new Uint8Array(await input.clone().arrayBuffer());
    }
    const url = input instanceof Request ? input.url : String(input);
    const method = (merged.method ?? 'GET').toUpperCase();
    const headers = copyHeaders(merged.headers);
    const signal = merged.signal ?? undefined;
    const original = applicableBody(body);

    async function send(
      request: AttemptRequest,
      context: { signal: AbortSignal | undefined },
    ): Promise<AttemptOutcome<Response>> {
      // The body as `auth.apply` left it when it could see it; any other kind as the caller gave it.
      const attemptBody = request.body !== original ? request.body : body;
      const attemptInit: RequestInit = {
        ...merged,
        method: request.method,
        headers: request.headers,
      };
      if (attemptBody !== undefined && attemptBody !== null)
        attemptInit.body = attemptBody as BodyInit;
      if (context.signal !== undefined) attemptInit.signal = context.signal;
      let response: Response;
      try {
        response = await fetchImpl(request.url.toString(), attemptInit);
      } catch (error) {
        return { error };
      }
      let prefix: Uint8Array | undefined;
      try {
        prefix = shouldReadBody(response, limit)
          ? (await readBodyPrefix(response, limit)).bytes
          : undefined;
      } catch (error) {
        // The body broke off mid-read (a reset): the server answered, then the connection died.
        return { error, response };
      }
      return {
        response,
        input: { status: response.status, headers: response.headers, body: prefix },
      };
    }

    return engine.execute<Response>({
      method,
      url,
      headers,
      ...(original === undefined ? {} : { body: original }),
      replayable: replayability(body),
      ...(signal === undefined ? {} : { signal }),
      ...triage,
      send,
      discard(outcome) {
        outcome.response?.body?.cancel().catch(() => {});
      },
    });
  };
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
