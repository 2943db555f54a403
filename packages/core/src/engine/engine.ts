import type { AttemptRequest } from '../auth/auth-hooks.ts';
import { CredentialRefresher } from '../auth/refresher.ts';
import { type GiveUpReason, type RequestInfo, VendorError } from '../errors/vendor-error.ts';
import {
  type AccountLimits,
  type Admission,
  type AdmissionContext,
  createAdmission,
  type Permit,
  type Refusal,
} from '../limits/admission.ts';
import { normalizeLimits } from '../limits/options.ts';
import { isPromiseLike, type MaybePromise } from '../limits/state-store.ts';
import { type Decision, decide } from '../retry/decide.ts';
import { isIdempotent } from '../retry/idempotency.ts';
import { type NormalizedRetry, normalizeRetry, type RetryInput } from '../retry/options.ts';
import type { Category, Classification } from '../types/classification.ts';
import type { EventListener, TriageEvent } from '../types/events.ts';
import type { ClassifyInput, FailureInput, ResponseInput } from '../types/input.ts';
import type { VendorProfile } from '../types/vendor.ts';
import { MAX_CLASSIFY_BYTES } from '../utils/body.ts';
import { type Clock, sleep, systemClock } from '../utils/clock.ts';
import { credentialValues, scrubClassification } from '../utils/credentials.ts';
import { copyHeaders } from '../utils/headers.ts';
import { redactUrl } from '../utils/redact.ts';
import type { TriageOptions, TriageRequestOptions } from './options.ts';

/** What an attempt came to, as the adapter reports it. */
export type AttemptOutcome<R> =
  /** The client returned a response (it may still carry a vendor error in its body). */
  | { response: R; input: ResponseInput }
  /** The client threw; `input` is the HTTP response inside the error, when there was one. */
  | { error: unknown; input?: ResponseInput; response?: R };

/** What the adapter's `send` is given for each attempt. */
export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborts on the caller's signal, the total deadline and the per-attempt timeout. */
  signal: AbortSignal | undefined;
  /**
   * `auth.apply` ran for this attempt and may have changed its method, URL, headers or body. When
   * `false` they are the request's own, unchanged: the adapter may send its client's request as
   * it was, without reading the attempt's `headers` (which are then made only when asked for).
   */
  changed: boolean;
}

/** A request as the engine runs it. Adapters translate their client's request into this. */
export interface EngineRequest<R> extends TriageRequestOptions {
  method: string;
  url: string | URL;
  /**
   * The request's headers, or a function that makes them: it is called only when they are needed
   * (`auth.apply`, the idempotency and credential checks of a failed attempt, or an adapter that
   * reads them), so a request that succeeds without `auth` never builds a `Headers`.
   */
  headers?: Headers | (() => Headers);
  body?: string | Uint8Array;
  /** `true`, or why the body cannot be sent twice (a stream). @default true */
  replayable?: true | string;
  /** The caller's per-request signal. */
  signal?: AbortSignal;
  /** Sends one attempt with the request as `auth.apply` left it. Never called concurrently. */
  send(request: AttemptRequest, context: AttemptContext): Promise<AttemptOutcome<R>>;
  /**
   * Releases a failed attempt's response that will not reach the caller because another attempt
   * follows (fetch: cancel the unread body so the connection is freed).
   */
  discard?(outcome: AttemptOutcome<R>): void;
}

/** The engine behind every adapter: classifies each attempt and decides what happens next. */
export interface Engine {
  /** The profiles, in the order they are tried. */
  readonly profiles: readonly VendorProfile[];
  /** Classifies with the configured profiles, the first profile's generic rules last. */
  classify(input: ClassifyInput): Classification | undefined;
  /** Runs a request to its end: the final response, or a `VendorError`, or the abort reason. */
  execute<R>(request: EngineRequest<R>): Promise<R>;
}

const CATEGORIES: readonly Category[] = ['retryable', 'auth', 'validation', 'fatal'];

function timeoutError(message: string): Error {
  const error = new Error(message);
  error.name = 'TimeoutError';
  return error;
}

function timeoutClassification(vendor: string, code: string, message: string): Classification {
  return {
    vendor,
    category: 'retryable',
    code,
    message,
    fields: [],
    effect: 'unknown',
    source: 'timeout',
    reason: 'no answer in time: the request may have been processed',
  };
}

/** The failure of an attempt the limiters would not send: it had no effect. */
function refusalClassification(
  vendor: string,
  refusal: Refusal,
  deadlineMs: number,
): Classification {
  const open = refusal.refused === 'circuit-open';
  const result: Classification = {
    vendor,
    category: 'retryable',
    code: open ? 'CIRCUIT_OPEN' : 'DEADLINE_EXCEEDED',
    message: open
      ? 'circuit open after sustained vendor failures: the attempt was not sent'
      : `no start within the ${deadlineMs} ms deadline: the attempt was not sent`,
    fields: [],
    effect: 'none',
    source: open ? 'limiter' : 'timeout',
    reason: open
      ? 'the circuit breaker fails requests fast until a probe succeeds'
      : 'the wait for a slot or a paced start would pass the deadline',
  };
  if (refusal.retryAfterMs !== undefined) result.retryAfterMs = refusal.retryAfterMs;
  return result;
}

/**
 * Builds the engine for one set of options. One engine is shared by every request an adapter
 * instance makes, so credential refreshes are single-flight across them.
 */
export function createEngine(options: TriageOptions): Engine {
  const configured = Array.isArray(options.vendor)
    ? options.vendor
    : [options.vendor as VendorProfile];
  if (configured.length === 0) throw new TypeError('triage: `vendor` needs at least one profile');
  const profiles =
    options.overrides === undefined
      ? configured
      : configured.map((p) => p.withOverrides(options.overrides!));
  const first = profiles[0]!;
  const clock: Clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const maxBytes = options.maxClassifyBytes ?? MAX_CLASSIFY_BYTES;
  const refresher = options.auth === undefined ? undefined : new CredentialRefresher(options.auth);
  const retryByVendor = new Map<string, NormalizedRetry>();
  const limits = normalizeLimits(first, options.limits);
  const admission: Admission | undefined =
    limits === undefined ? undefined : createAdmission(limits, clock);

  function retryFor(vendor: string, perRequest: RetryInput | undefined): NormalizedRetry {
    const profile = profiles.find((p) => p.name === vendor) ?? first;
    if (perRequest !== undefined) return normalizeRetry(profile.retry, options.retry, perRequest);
    let cached = retryByVendor.get(profile.name);
    if (cached === undefined) {
      cached = normalizeRetry(profile.retry, options.retry);
      retryByVendor.set(profile.name, cached);
    }
    return cached;
  }

  /** Calls each listener; telemetry never breaks a request. */
  function combine(
    listeners: readonly (EventListener | undefined)[],
  ): (event: TriageEvent) => void {
    return (event) => {
      for (const listener of listeners) {
        if (listener === undefined) continue;
        try {
          listener(event);
        } catch {
          // Telemetry never breaks a request.
        }
      }
    };
  }
  /** The engine's own listener, shared by every request that brings none. */
  const emitOwn = combine([options.onEvent]);

  function classify(input: ClassifyInput): Classification | undefined {
    const now = clock.now();
    // One profile: its own fallback is the last step anyway, and a second call would parse again.
    if (profiles.length === 1) return first.classify(input, { now, maxBytes });
    for (const profile of profiles) {
      const found = profile.classify(input, { now, fallback: false, maxBytes });
      if (found !== undefined) return found;
    }
    return first.classify(input, { now, maxBytes });
  }

  /**
   * Runs a request. The loop holds what every attempt does; what a failed attempt leads to is in
   * `recover`, and the request's state is one object rather than locals: an async function keeps
   * its locals and closures in heap memory across each `await`, and this halves what a request
   * allocates on the success path, where triage must cost next to nothing (issue #6, benchmark 3).
   */
  async function execute<R>(request: EngineRequest<R>): Promise<R> {
    const run = begin(request);
    while (true) {
      const signal = run.signal;
      if (signal?.aborted) throw signal.reason;
      run.attempt++;
      // `auth.apply` may change the URL and headers: each attempt then gets its own copies, so no
      // change leaks into the next. Without it nothing changes them, and copying would be waste.
      const apply = options.auth?.apply;
      const changed = apply !== undefined;
      const attemptRequest: AttemptRequest = changed
        ? { method: run.method, url: new URL(run.url), headers: copyHeaders(headersOf(run)) }
        : new UnchangedAttempt(run);
      if (request.body !== undefined) attemptRequest.body = request.body;
      // Admission comes before `auth.apply`, so credentials are put on when the attempt leaves,
      // however long it queued.
      let permit: Permit | undefined;
      if (admission !== undefined) {
        const admitted = admit(run, attemptRequest);
        permit = accept(run, isPromiseLike(admitted) ? await admitted : admitted);
      }
      const generation = refresher?.generation ?? 0;

      let outcome: RunResult<R>;
      try {
        if (apply !== undefined) {
          // A credential hook that hangs must not outlive the caller's abort.
          await untilAborted(Promise.resolve(apply(attemptRequest)), signal);
        }
        if (run.timed) {
          outcome = await runTimedAttempt(run, attemptRequest, changed);
        } else {
          const sent = safeSend(request, attemptRequest, { attempt: run.attempt, signal, changed });
          outcome = { kind: 'done', result: await untilAborted(sent, signal) };
        }
        if (signal?.aborted) throw signal.reason;
      } catch (error) {
        if (permit !== undefined) admission!.release(permit, { cancelled: true }, run.context!);
        throw error;
      }

      const classification = settle(run, outcome, attemptRequest, permit);
      if (classification === undefined) return succeed(run, outcome.result!);
      await recover(run, outcome, classification, permit, generation);
    }
  }

  /** A request's state as the engine runs it. */
  interface Run<R> {
    readonly request: EngineRequest<R>;
    readonly method: string;
    readonly url: URL;
    readonly info: RequestInfo;
    readonly emit: (event: TriageEvent) => void;
    /** The caller's signal (the client's and the adapter's options', joined). */
    readonly signal: AbortSignal | undefined;
    /** The request's headers once made (see `headersOf`). */
    headers: Headers | undefined;
    readonly start: number;
    readonly timers: NormalizedRetry;
    /** A total deadline or an attempt timeout is set: each attempt runs under timers. */
    readonly timed: boolean;
    attempt: number;
    /** The account these requests share, and the attempt as the limiters see it. */
    account: AccountLimits | undefined;
    context: AdmissionContext | undefined;
    /** Made at the first failure: a request that succeeds at once never needs it. */
    failures: Failures | undefined;
  }

  /** What failed attempts leave for the next one. */
  interface Failures {
    retries: Record<Category, number>;
    totalRetries: number;
    previousDelayMs: number;
    /** Budget tokens the last retry took: a success gives them back (AWS retry quota). */
    lastCost: number;
    lastCause: unknown;
  }

  function begin<R>(request: EngineRequest<R>): Run<R> {
    const method = request.method.toUpperCase();
    const url = request.url instanceof URL ? request.url : new URL(request.url);
    const info: RequestInfo = { method, url: redactUrl(url) };
    const emit =
      request.onEvent === undefined ? emitOwn : combine([options.onEvent, request.onEvent]);
    const signal =
      options.signal === undefined
        ? request.signal
        : request.signal === undefined
          ? options.signal
          : AbortSignal.any([options.signal, request.signal]);
    const start = clock.now();
    const timers = retryFor(first.name, request.retry);
    const run: Run<R> = {
      request,
      method,
      url,
      info,
      emit,
      signal,
      headers: typeof request.headers === 'function' ? undefined : request.headers,
      start,
      timers,
      timed: Number.isFinite(timers.maxElapsedMs) || Number.isFinite(timers.attemptTimeoutMs),
      attempt: 0,
      account: undefined,
      context: undefined,
      failures: undefined,
    };
    if (admission !== undefined) {
      run.context = {
        attempt: 0,
        request: info,
        emit,
        signal,
        deadline: start + timers.maxElapsedMs,
      };
    }
    return run;
  }

  /** The request's headers, made on first use when the adapter gave a function. */
  function headersOf<R>(run: Run<R>): Headers {
    if (run.headers === undefined) {
      const given = run.request.headers;
      run.headers = typeof given === 'function' ? given() : (given ?? new Headers());
    }
    return run.headers;
  }

  /**
   * An attempt no `auth.apply` sees: the request's own method, URL and body, and its headers,
   * made only if someone reads them.
   */
  class UnchangedAttempt<R> implements AttemptRequest {
    method: string;
    url: URL;
    declare body?: string | Uint8Array;
    readonly #run: Run<R>;
    constructor(run: Run<R>) {
      this.method = run.method;
      this.url = run.url;
      this.#run = run;
    }
    get headers(): Headers {
      return headersOf(this.#run);
    }
    /** The request's headers from now on: no `auth.apply` will copy them for each attempt. */
    set headers(headers: Headers) {
      this.#run.headers = headers;
    }
  }

  /** Asks the limiters to send this attempt. */
  function admit<R>(run: Run<R>, attemptRequest: AttemptRequest): MaybePromise<Permit | Refusal> {
    // The account: named, or the request's origin (from the URL this attempt parsed anyway).
    run.account ??= admission!.account(
      run.request.limits?.account ?? admission!.limits.account ?? attemptRequest.url.origin,
    );
    run.context!.attempt = run.attempt;
    return admission!.admit(run.account, run.context!);
  }

  /** The permit, or the request's failure when the limiters refused it. */
  function accept<R>(run: Run<R>, result: Permit | Refusal): Permit {
    if ('refused' in result) throw refuse(run, result);
    // A slot freed at the very moment the deadline passed (the request holding it gave up on the
    // same deadline): too late to start.
    if (result.waitedSince !== -1 && clock.now() >= run.context!.deadline) {
      admission!.release(result, { cancelled: true }, run.context!);
      throw refuse(run, { refused: 'deadline' });
    }
    return result;
  }

  /** The failure of an attempt the limiters would not send. */
  function refuse<R>(run: Run<R>, refusal: Refusal): VendorError {
    const classification = refusalClassification(
      admission!.limits.vendor,
      refusal,
      run.timers.maxElapsedMs,
    );
    const reason: GiveUpReason = refusal.refused;
    run.emit({
      type: 'give-up',
      vendor: classification.vendor,
      attempt: run.attempt,
      request: run.info,
      time: clock.now(),
      reason,
      classification,
    });
    return new VendorError(classification, {
      cause: run.failures?.lastCause,
      request: run.info,
      attempts: run.attempt - 1,
      giveUpReason: reason,
    });
  }

  /**
   * Classifies an attempt's outcome: `undefined` when every profile finds it fine (its permit is
   * then given back), else the failure, scrubbed of the attempt's own credentials.
   */
  function settle<R>(
    run: Run<R>,
    outcome: RunResult<R>,
    attemptRequest: AttemptRequest,
    permit: Permit | undefined,
  ): Classification | undefined {
    const result = outcome.result;
    if (result === undefined) {
      return outcome.kind === 'deadline'
        ? timeoutClassification(
            first.name,
            'DEADLINE_EXCEEDED',
            `no response within the ${run.timers.maxElapsedMs} ms deadline`,
          )
        : timeoutClassification(
            first.name,
            'ATTEMPT_TIMEOUT',
            `attempt timed out after ${run.timers.attemptTimeoutMs} ms`,
          );
    }
    const input: ResponseInput | FailureInput =
      'error' in result ? (result.input ?? { error: result.error }) : result.input;
    const found = classify({ method: run.method, ...input });
    if (found !== undefined) {
      // A vendor may echo the credential it refused: scrub this attempt's own credentials.
      return scrubClassification(found, credentialValues(attemptRequest));
    }
    if (permit !== undefined) {
      const lastCost = run.failures?.lastCost ?? 0;
      const refund = lastCost > 0 ? lastCost : (admission!.limits.budget?.successRefill ?? 0);
      const headers = 'status' in input ? input.headers : undefined;
      admission!.release(permit, { headers, refund }, run.context!);
    }
    return undefined;
  }

  /** The response of an attempt every profile finds fine. */
  function succeed<R>(run: Run<R>, result: AttemptOutcome<R>): R {
    // The client threw although every profile finds the response fine (a client-side
    // validateStatus, say): the caller sees the client's own error.
    if ('error' in result) throw result.error;
    if (run.attempt > 1) {
      const now = clock.now();
      run.emit({
        type: 'recovered',
        vendor: first.name,
        time: now,
        attempt: run.attempt,
        request: run.info,
        elapsedMs: now - run.start,
      });
    }
    return result.response;
  }

  /**
   * After a failed attempt: resolves when the next attempt may go (after the backoff wait or a
   * credential refresh), rejects with the `VendorError` (or the abort reason) when it may not.
   */
  async function recover<R>(
    run: Run<R>,
    outcome: RunResult<R>,
    classification: Classification,
    permit: Permit | undefined,
    generation: number,
  ): Promise<void> {
    const { request, emit } = run;
    run.failures ??= {
      retries: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>,
      totalRetries: 0,
      previousDelayMs: 0,
      lastCost: 0,
      lastCause: undefined,
    };
    const failures = run.failures;
    const base = { vendor: classification.vendor, attempt: run.attempt, request: run.info };
    emit({ type: 'classified', ...base, time: clock.now(), classification });
    if (permit !== undefined) {
      const headers = outcome.result?.input?.headers;
      admission!.release(permit, { classification, headers }, run.context!);
    }
    const retry = retryFor(classification.vendor, request.retry);
    const decision: Decision =
      outcome.kind === 'deadline'
        ? { kind: 'fail', reason: 'deadline' }
        : decide(
            classification,
            {
              retries: failures.retries,
              totalRetries: failures.totalRetries,
              idempotent: request.idempotent ?? isIdempotent(run.method, headersOf(run)),
              replayable: request.replayable ?? true,
              canRefresh: refresher !== undefined,
              elapsedMs: clock.now() - run.start,
              previousDelayMs: failures.previousDelayMs,
            },
            retry,
            random,
          );

    // The failure as the caller will see it: the client's error, or the response.
    const result = outcome.result;
    const cause =
      result === undefined ? outcome.error : 'error' in result ? result.error : result.response;
    const giveUp = (reason: GiveUpReason, retryAfterMs?: number): VendorError => {
      emit({
        type: 'give-up',
        ...base,
        time: clock.now(),
        reason,
        classification,
      });
      return new VendorError(classification, {
        cause,
        response: result?.response,
        request: run.info,
        attempts: run.attempt,
        giveUpReason: reason,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    };

    if (decision.kind === 'fail') throw giveUp(decision.reason, decision.retryAfterMs);
    failures.lastCause = cause;
    let budgetTokens: number | undefined;
    if (decision.kind === 'retry' && admission?.limits.budget !== undefined) {
      // The retry budget: the auth refresh retry (the other branch) never draws on it.
      const budget = admission.limits.budget;
      const cost = classification.source === 'timeout' ? budget.timeoutCost : budget.retryCost;
      const withdrawn = admission.withdraw(run.account!, cost, run.context!);
      const answer = isPromiseLike(withdrawn) ? await withdrawn : withdrawn;
      if (!answer.granted) throw giveUp('retry-budget-exhausted');
      failures.lastCost = cost;
      budgetTokens = answer.tokens;
    }
    if (result !== undefined && request.discard !== undefined) {
      try {
        request.discard(result);
      } catch {
        // Releasing is best effort; the next attempt does not depend on it.
      }
    }
    if (decision.kind === 'refresh') {
      failures.retries.auth++;
      try {
        // The refresh is shared by every waiting request: an abort stops this request's wait,
        // not the refresh the others may still need.
        const refreshed = await untilAborted(refresher!.refresh(generation), run.signal);
        emit({ type: 'auth-refresh', ...base, time: clock.now(), outcome: refreshed });
      } catch {
        if (run.signal?.aborted) throw run.signal.reason;
        emit({ type: 'auth-refresh', ...base, time: clock.now(), outcome: 'failed' });
        throw giveUp('auth-refresh-failed');
      }
      return;
    }
    failures.retries[classification.category]++;
    failures.totalRetries++;
    failures.previousDelayMs = decision.delayMs;
    emit({
      type: 'retry',
      ...base,
      time: clock.now(),
      delayMs: decision.delayMs,
      category: classification.category,
      ...(classification.code === undefined ? {} : { code: classification.code }),
      reason: decision.reason,
      ...(budgetTokens === undefined ? {} : { budgetTokens }),
    });
    await sleep(clock, decision.delayMs, run.signal);
  }

  type RunResult<R> =
    | { kind: 'done'; result: AttemptOutcome<R>; error?: undefined }
    | { kind: 'deadline' | 'attempt-timeout'; error: unknown; result?: undefined };

  /** One attempt under the total deadline and the attempt timeout (at least one is finite). */
  async function runTimedAttempt<R>(
    run: Run<R>,
    attemptRequest: AttemptRequest,
    changed: boolean,
  ): Promise<RunResult<R>> {
    const { request, attempt, signal: callerSignal, timers: retry } = run;
    const remaining = retry.maxElapsedMs - (clock.now() - run.start);
    const perAttempt = retry.attemptTimeoutMs;

    // One controller per attempt, aborted by the caller, the deadline or the attempt timeout.
    const controller = new AbortController();
    let fired: 'deadline' | 'attempt-timeout' | undefined;
    const cancels: (() => void)[] = [];
    const onCaller = (): void => controller.abort(callerSignal?.reason);
    if (callerSignal !== undefined) {
      if (callerSignal.aborted) controller.abort(callerSignal.reason);
      callerSignal.addEventListener('abort', onCaller, { once: true });
      cancels.push(() => callerSignal.removeEventListener('abort', onCaller));
    }
    const arm = (kind: 'deadline' | 'attempt-timeout', ms: number, message: string): void => {
      if (!Number.isFinite(ms)) return;
      cancels.push(
        clock.setTimeout(
          () => {
            fired ??= kind;
            controller.abort(timeoutError(message));
          },
          Math.max(0, ms),
        ),
      );
    };
    // The shorter of the two fires first; when both are due at once the deadline wins.
    arm('deadline', remaining, `deadline of ${retry.maxElapsedMs} ms exceeded`);
    arm('attempt-timeout', perAttempt, `attempt timed out after ${perAttempt} ms`);
    try {
      const result = await raceAbort(
        safeSend(request, attemptRequest, { attempt, signal: controller.signal, changed }),
        controller.signal,
      );
      if (fired !== undefined && !callerSignal?.aborted)
        return { kind: fired, error: controller.signal.reason };
      return { kind: 'done', result };
    } catch (error) {
      if (fired !== undefined && !callerSignal?.aborted) return { kind: fired, error };
      throw error;
    } finally {
      for (const cancel of cancels) cancel();
    }
  }

  return { profiles, classify, execute };
}

/** Calls the adapter's `send`, turning a throw or a rejection into an outcome. */
function safeSend<R>(
  request: EngineRequest<R>,
  attemptRequest: AttemptRequest,
  context: AttemptContext,
): Promise<AttemptOutcome<R>> {
  try {
    return request.send(attemptRequest, context).then(undefined, failed);
  } catch (error) {
    return Promise.resolve(failed(error));
  }
}

function failed(error: unknown): { error: unknown } {
  return { error };
}

/** `promise`, or the caller's abort if it comes first; just `promise` without a signal. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  return signal === undefined ? promise : raceAbort(promise, signal);
}

/**
 * Settles as soon as `signal` aborts, even if the client ignores the signal, so a deadline or an
 * abort is never longer than the client's own cancellation.
 */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
