import {
  type AttemptContext,
  type AttemptOutcome,
  type AttemptRequest,
  copyHeaders,
  type Engine,
  type ResponseRead,
  readResponse,
} from '@triage/core';
import { HTTPError, NetworkError, type NormalizedOptions, TimeoutError } from 'ky';
import { type AttemptTimer, startAttemptTimer } from './attempt-timer.ts';
import { redactKyError } from './redact-error.ts';
import { type BodyPlan, planBody } from './request-body.ts';
import { errorData } from './response-body.ts';
import { type KyFetch, markInstalled, type RequestSettings } from './settings.ts';

/** What every request of one `withTriage` instance family shares. */
export interface TriageKyContext {
  engine: Engine;
  maxClassifyBytes: number;
}

/** ky refuses longer timeouts (`maxSafeTimeout`): `setTimeout` overflows past a 32-bit int. */
const MAX_SAFE_TIMEOUT = 2_147_483_647;

/** `RequestInit` with `duplex`, which a stream body needs and TypeScript's DOM types lack. */
type AttemptInit = RequestInit & { duplex?: 'half' };

/**
 * The `fetch` triage gives ky for one request. ky calls it once (its own retry is 0); the engine
 * behind it makes every attempt, each with ky's per-attempt `timeout`, and resolves with the final
 * `Response` for ky's hooks and body methods, or rejects with a `VendorError`.
 */
export function createTriageFetch(context: TriageKyContext, settings: RequestSettings): KyFetch {
  const triageFetch: KyFetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const { timeout } = settings;
    if (timeout !== false && timeout > MAX_SAFE_TIMEOUT) {
      throw new RangeError(`The \`timeout\` option cannot be greater than ${MAX_SAFE_TIMEOUT}`);
    }
    const plan = await planBody(request, settings.bodyKind);
    const template = requestTemplate(request);

    async function send(
      attempt: AttemptRequest,
      { signal }: AttemptContext,
    ): Promise<AttemptOutcome<Response>> {
      const attemptInit: AttemptInit = {
        ...template,
        method: attempt.method,
        headers: attempt.headers,
        ...bodyInit(plan, attempt),
      };
      // The attempt as a `Request`, for ky's errors and for a custom `fetch`, which ky always
      // calls with one. The global fetch is given the URL and init instead, as the bare fetch
      // would build one `Request` from them: a second one per attempt costs more CPU than
      // everything else triage does on a success.
      let attemptRequest: Request | undefined;
      const requestOf = (): Request => {
        attemptRequest ??=
          settings.fetch === undefined
            ? errorRequest(attempt, attemptInit)
            : new Request(attempt.url, attemptInit);
        return attemptRequest;
      };
      const timer =
        timeout === false
          ? undefined
          : startAttemptTimer(timeout, signal, () => redactKyError(new TimeoutError(requestOf())));
      const attemptSignal = timer?.signal ?? signal;
      if (attemptSignal !== undefined) attemptInit.signal = attemptSignal;
      try {
        let fetched: Response;
        try {
          fetched = await (settings.fetch === undefined
            ? globalThis.fetch(
                attempt.url.href,
                hasKeys(init) ? { ...init, ...attemptInit } : attemptInit,
              )
            : // ky's calling convention: the `Request`, plus the options `Request` does not know.
              settings.fetch(requestOf(), init));
        } catch (error) {
          return { error: attemptError(error, requestOf(), signal, timer) };
        }
        let read: ResponseRead;
        try {
          read = await readResponse(fetched, context.maxClassifyBytes);
        } catch (error) {
          // The body broke off mid-read: the server answered, then the connection died.
          return { error: attemptError(error, requestOf(), signal, timer), response: fetched };
        }
        const { response, input } = read;
        if (!throwsFor(response, settings.throwHttpErrors)) return { response, input };
        // ky's own error for the status, so a VendorError's cause is what ky users know. When no
        // profile finds a failure, the engine throws it as is, as ky would.
        const failed = requestOf();
        const httpError = redactKyError(
          new HTTPError(response, failed, settings.normalized ?? snapshot(failed)),
        );
        httpError.data = await errorData(read, failed, settings.parseJson);
        return { error: httpError, input, response };
      } finally {
        timer?.cancel();
      }
    }

    return context.engine.execute<Response>({
      method: request.method,
      url: request.url,
      headers: copyHeaders(request.headers),
      ...(plan.replayable === true && plan.body !== undefined ? { body: plan.body } : {}),
      replayable: plan.replayable,
      // ky's managed signal: the caller's `signal` and ky's `totalTimeout`.
      signal: request.signal,
      ...settings.triage,
      send,
      discard(outcome) {
        outcome.response?.body?.cancel().catch(() => {});
      },
    });
  };
  markInstalled(triageFetch, settings);
  return triageFetch;
}

/** True when ky handed `fetch` options of its own (options `Request` does not know). */
function hasKeys(init: RequestInit | undefined): init is RequestInit {
  if (init === undefined) return false;
  for (const _ in init) return true;
  return false;
}

/**
 * The attempt as a `Request` for ky's errors, after the global fetch has used its body: the same
 * URL, method, headers and options, without the body (fetch has read it; a stream cannot be read
 * twice). Made only when an attempt fails.
 */
function errorRequest(attempt: AttemptRequest, init: AttemptInit): Request {
  const { body: _, duplex: __, ...rest } = init;
  return new Request(attempt.url, rest);
}

/** What each attempt keeps of ky's request besides method, URL, headers, body and signal. */
function requestTemplate(request: Request): RequestInit {
  return {
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

function bodyInit(plan: BodyPlan, attempt: AttemptRequest): AttemptInit {
  if (plan.replayable !== true) return { body: plan.stream, duplex: 'half' };
  // The body as `auth.apply` left it: the text or bytes read once from ky's request.
  return attempt.body === undefined ? {} : { body: attempt.body as BodyInit };
}

/** The error an attempt failed with, named as ky names it. */
function attemptError(
  error: unknown,
  request: Request,
  signal: AbortSignal | undefined,
  timer: AttemptTimer | undefined,
): unknown {
  if (timer?.error !== undefined) return timer.error;
  // The caller's abort or triage's own deadline: the engine knows it by its signal.
  if (signal?.aborted === true) return error;
  // The Fetch standard rejects with a TypeError when the network fails; ky wraps those.
  if (error instanceof TypeError) return redactKyError(new NetworkError(request, { cause: error }));
  return error;
}

/** ky's rule for throwing an `HTTPError` (opaque `no-cors` responses hide their status). */
function throwsFor(response: Response, rule: RequestSettings['throwHttpErrors']): boolean {
  if (response.ok || response.type === 'opaque') return false;
  return typeof rule === 'function' ? rule(response.status) : rule;
}

/**
 * Stands in for ky's normalized options when the `beforeRequest` hook could not catch them (an
 * `init` hook added after triage replaced `context`): the request's own view of them.
 */
function snapshot(request: Request): Readonly<NormalizedOptions> {
  return Object.freeze({
    method: request.method,
    headers: request.headers,
    credentials: request.credentials,
    retry: {
      limit: 0,
      methods: [],
      statusCodes: [],
      afterStatusCodes: [],
      maxRetryAfter: 0,
      backoffLimit: 0,
      delay: () => 0,
      jitter: false,
      retryOnTimeout: false,
    },
    prefix: '',
    context: {},
  });
}
