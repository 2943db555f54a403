import {
  type AttemptContext,
  type AttemptOutcome,
  type AttemptRequest,
  type BodyPrefix,
  copyHeaders,
  type Engine,
  type ResponseInput,
  readBodyPrefix,
  shouldReadBody,
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
    const inner: KyFetch = settings.fetch ?? ((url, options) => globalThis.fetch(url, options));
    const template = requestTemplate(request);

    async function send(
      attempt: AttemptRequest,
      { signal }: AttemptContext,
    ): Promise<AttemptOutcome<Response>> {
      let attemptRequest: Request | undefined;
      const timer =
        timeout === false
          ? undefined
          : startAttemptTimer(timeout, () =>
              redactKyError(new TimeoutError(attemptRequest ?? request)),
            );
      try {
        const signals = [signal, timer?.signal].filter((s) => s !== undefined);
        const attemptInit: AttemptInit = {
          ...template,
          method: attempt.method,
          headers: attempt.headers,
          ...bodyInit(plan, attempt),
        };
        if (signals.length > 0) {
          attemptInit.signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
        }
        attemptRequest = new Request(attempt.url, attemptInit);
        let response: Response;
        try {
          // ky's calling convention: the `Request`, plus the options `Request` does not know.
          response = await inner(attemptRequest, init);
        } catch (error) {
          return { error: attemptError(error, attemptRequest, signal, timer) };
        }
        let prefix: BodyPrefix | undefined;
        try {
          prefix = shouldReadBody(response, context.maxClassifyBytes)
            ? await readBodyPrefix(response, context.maxClassifyBytes)
            : undefined;
        } catch (error) {
          // The body broke off mid-read: the server answered, then the connection died.
          return { error: attemptError(error, attemptRequest, signal, timer), response };
        }
        const responseInput: ResponseInput = {
          status: response.status,
          headers: response.headers,
          body: prefix?.bytes,
        };
        if (!throwsFor(response, settings.throwHttpErrors)) {
          return { response, input: responseInput };
        }
        // ky's own error for the status, so a VendorError's cause is what ky users know. When no
        // profile finds a failure, the engine throws it as is, as ky would.
        const httpError = redactKyError(
          new HTTPError(response, attemptRequest, settings.normalized ?? snapshot(attemptRequest)),
        );
        httpError.data = await errorData(prefix, attemptRequest, response, settings.parseJson);
        return { error: httpError, input: responseInput, response };
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
