import type { AttemptRequest } from '../auth/auth-hooks.ts';
import { CredentialRefresher } from '../auth/refresher.ts';
import { type GiveUpReason, VendorError } from '../errors/vendor-error.ts';
import {
  type AccountLimits,
  type Admission,
  type AdmissionContext,
  createAdmission,
  type Permit,
  type Refusal,
} from '../limits/admission.ts';
import { normalizeLimits } from '../limits/options.ts';
import { isPromiseLike } from '../limits/state-store.ts';
import { type Decision, decide } from '../retry/decide.ts';
import { isIdempotent } from '../retry/idempotency.ts';
import { type NormalizedRetry, normalizeRetry, type RetryInput } from '../retry/options.ts';
import type { Category, Classification } from '../types/classification.ts';
import type { TriageEvent } from '../types/events.ts';
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
}

/** A request as the engine runs it. Adapters translate their client's request into this. */
export interface EngineRequest<R> extends TriageRequestOptions {
  method: string;
  url: string | URL;
  headers?: Headers;
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

  function classify(input: ClassifyInput): Classification | undefined {
    const now = clock.now();
    for (const profile of profiles) {
      const found = profile.classify(input, { now, fallback: false, maxBytes });
      if (found !== undefined) return found;
    }
    return first.classify(input, { now, maxBytes });
  }

  async function execute<R>(request: EngineRequest<R>): Promise<R> {
    const method = request.method.toUpperCase();
    const info = { method, url: redactUrl(request.url) };
    const listeners = [options.onEvent, request.onEvent].filter((l) => l !== undefined);
    const emit = (event: TriageEvent): void => {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          // Telemetry never breaks a request.
        }
      }
    };
    const signals = [options.signal, request.signal].filter((s) => s !== undefined);
    const callerSignal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const baseHeaders = request.headers ?? new Headers();
    const idempotent = request.idempotent ?? isIdempotent(method, baseHeaders);
    const start = clock.now();
    const timers = retryFor(first.name, request.retry);
    const retries = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
    let totalRetries = 0;
    let previousDelayMs = 0;
    let attempt = 0;
    // The limiters: the account these requests share, and the attempt as they see it.
    let account: AccountLimits | undefined;
    let context: AdmissionContext | undefined;
    if (admission !== undefined) {
      context = {
        attempt: 0,
        request: info,
        emit,
        signal: callerSignal,
        deadline: start + timers.maxElapsedMs,
      };
    }
    /** Budget tokens the last retry took: a success gives them back (AWS retry quota). */
    let lastCost = 0;
    let lastCause: unknown;

    const refuse = (refusal: Refusal): VendorError => {
      const classification = refusalClassification(
        admission!.limits.vendor,
        refusal,
        timers.maxElapsedMs,
      );
      const reason: GiveUpReason = refusal.refused;
      emit({
        type: 'give-up',
        vendor: classification.vendor,
        attempt,
        request: info,
        time: clock.now(),
        reason,
        classification,
      });
      return new VendorError(classification, {
        cause: lastCause,
        request: info,
        attempts: attempt - 1,
        giveUpReason: reason,
      });
    };

    while (true) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      attempt++;
      const attemptRequest: AttemptRequest = {
        method,
        url: new URL(String(request.url)),
        headers: copyHeaders(baseHeaders),
      };
      if (request.body !== undefined) attemptRequest.body = request.body;
      // Admission comes before `auth.apply`, so credentials are put on when the attempt leaves,
      // however long it queued.
      let permit: Permit | undefined;
      if (admission !== undefined) {
        // The account: named, or the request's origin (from the URL this attempt parsed anyway).
        account ??= admission.account(
          request.limits?.account ?? admission.limits.account ?? attemptRequest.url.origin,
        );
        context!.attempt = attempt;
        const admitted = admission.admit(account!, context!);
        const result = isPromiseLike(admitted) ? await admitted : admitted;
        if ('refused' in result) throw refuse(result);
        permit = result;
      }
      const generation = refresher?.generation ?? 0;

      let outcome: RunResult<R>;
      try {
        // A credential hook that hangs must not outlive the caller's abort.
        await untilAborted(Promise.resolve(options.auth?.apply?.(attemptRequest)), callerSignal);
        outcome = await runAttempt(request, attemptRequest, attempt, callerSignal, start, timers);
        if (callerSignal?.aborted) throw callerSignal.reason;
      } catch (error) {
        if (permit !== undefined) admission!.release(permit, { cancelled: true }, context!);
        throw error;
      }

      let classification: Classification;
      if (outcome.result === undefined) {
        classification =
          outcome.kind === 'deadline'
            ? timeoutClassification(
                first.name,
                'DEADLINE_EXCEEDED',
                `no response within the ${timers.maxElapsedMs} ms deadline`,
              )
            : timeoutClassification(
                first.name,
                'ATTEMPT_TIMEOUT',
                `attempt timed out after ${timers.attemptTimeoutMs} ms`,
              );
      } else {
        const result = outcome.result;
        const input: ResponseInput | FailureInput =
          'error' in result ? (result.input ?? { error: result.error, method }) : result.input;
        const found = classify({ method, ...input });
        if (found === undefined) {
          if (permit !== undefined) {
            const refund = lastCost > 0 ? lastCost : (admission!.limits.budget?.successRefill ?? 0);
            admission!.release(
              permit,
              { headers: 'status' in input ? input.headers : undefined, refund },
              context!,
            );
          }
          // The client threw although every profile finds the response fine (a client-side
          // validateStatus, say): the caller sees the client's own error.
          if ('error' in result) throw result.error;
          if (attempt > 1) {
            const now = clock.now();
            emit({
              type: 'recovered',
              vendor: first.name,
              time: now,
              attempt,
              request: info,
              elapsedMs: now - start,
            });
          }
          return result.response;
        }
        // A vendor may echo the credential it refused: scrub this attempt's own credentials.
        classification = scrubClassification(found, credentialValues(attemptRequest));
      }

      const base = { vendor: classification.vendor, attempt, request: info };
      emit({ type: 'classified', ...base, time: clock.now(), classification });
      if (permit !== undefined) {
        const headers = outcome.result?.input?.headers;
        admission!.release(permit, { classification, headers }, context!);
      }
      const retry = retryFor(classification.vendor, request.retry);
      const decision: Decision =
        outcome.kind === 'deadline'
          ? { kind: 'fail', reason: 'deadline' }
          : decide(
              classification,
              {
                retries,
                totalRetries,
                idempotent,
                replayable: request.replayable ?? true,
                canRefresh: refresher !== undefined,
                elapsedMs: clock.now() - start,
                previousDelayMs,
              },
              retry,
              random,
            );

      const giveUp = (reason: GiveUpReason, retryAfterMs?: number): VendorError => {
        emit({
          type: 'give-up',
          ...base,
          time: clock.now(),
          reason,
          classification,
        });
        const result = outcome.kind === 'done' ? outcome.result : undefined;
        const cause =
          result === undefined ? outcome.error : 'error' in result ? result.error : result.response;
        return new VendorError(classification, {
          cause,
          response: result?.response,
          request: info,
          attempts: attempt,
          giveUpReason: reason,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      };

      if (decision.kind === 'fail') throw giveUp(decision.reason, decision.retryAfterMs);
      const done = outcome.kind === 'done' ? outcome.result : undefined;
      lastCause = done === undefined ? outcome.error : 'error' in done ? done.error : done.response;
      let budgetTokens: number | undefined;
      if (decision.kind === 'retry' && admission?.limits.budget !== undefined) {
        // The retry budget: the auth refresh retry (the other branch) never draws on it.
        const budget = admission.limits.budget;
        const cost = classification.source === 'timeout' ? budget.timeoutCost : budget.retryCost;
        const withdrawn = admission.withdraw(account!, cost, context!);
        const answer = isPromiseLike(withdrawn) ? await withdrawn : withdrawn;
        if (!answer.granted) throw giveUp('retry-budget-exhausted');
        lastCost = cost;
        budgetTokens = answer.tokens;
      }
      if (outcome.result !== undefined && request.discard !== undefined) {
        try {
          request.discard(outcome.result);
        } catch {
          // Releasing is best effort; the next attempt does not depend on it.
        }
      }
      if (decision.kind === 'refresh') {
        retries.auth++;
        try {
          // The refresh is shared by every waiting request: an abort stops this request's wait,
          // not the refresh the others may still need.
          const refreshed = await untilAborted(refresher!.refresh(generation), callerSignal);
          emit({ type: 'auth-refresh', ...base, time: clock.now(), outcome: refreshed });
        } catch {
          if (callerSignal?.aborted) throw callerSignal.reason;
          emit({ type: 'auth-refresh', ...base, time: clock.now(), outcome: 'failed' });
          throw giveUp('auth-refresh-failed');
        }
        continue;
      }
      retries[classification.category]++;
      totalRetries++;
      previousDelayMs = decision.delayMs;
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
      await sleep(clock, decision.delayMs, callerSignal);
    }
  }

  type RunResult<R> =
    | { kind: 'done'; result: AttemptOutcome<R>; error?: undefined }
    | { kind: 'deadline' | 'attempt-timeout'; error: unknown; result?: undefined };

  async function runAttempt<R>(
    request: EngineRequest<R>,
    attemptRequest: AttemptRequest,
    attempt: number,
    callerSignal: AbortSignal | undefined,
    start: number,
    retry: NormalizedRetry,
  ): Promise<RunResult<R>> {
    const remaining = retry.maxElapsedMs - (clock.now() - start);
    const perAttempt = retry.attemptTimeoutMs;
    const timed = Number.isFinite(remaining) || Number.isFinite(perAttempt);
    if (!timed) {
      const sent = safeSend(request, attemptRequest, { attempt, signal: callerSignal });
      return {
        kind: 'done',
        result: await (callerSignal === undefined ? sent : raceAbort(sent, callerSignal)),
      };
    }

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
        safeSend(request, attemptRequest, { attempt, signal: controller.signal }),
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

/** Calls the adapter's `send`, turning a throw into an outcome. */
async function safeSend<R>(
  request: EngineRequest<R>,
  attemptRequest: AttemptRequest,
  context: AttemptContext,
): Promise<AttemptOutcome<R>> {
  try {
    return await request.send(attemptRequest, context);
  } catch (error) {
    return { error };
  }
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
