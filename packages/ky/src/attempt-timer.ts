/** ky's per-attempt `timeout` for one attempt. */
export interface AttemptTimer {
  /** Aborts when the timeout fires or the signal it follows aborts. */
  readonly signal: AbortSignal;
  /** The error the attempt failed with, once the timeout fired. */
  readonly error: Error | undefined;
  /** Stops the timer and stops following. Never aborts: the caller still reads the body. */
  cancel(): void;
}

/**
 * Starts ky's `timeout` for one attempt, on a signal that also aborts when `follow` (the engine's
 * signal for the attempt) does. It runs on real time, as in ky itself: it is ky's option and a real
 * network deadline. triage's own waits and deadlines (`retry.attemptTimeoutMs`,
 * `retry.maxElapsedMs`) run on the injected clock; an injected auto-advancing test clock would
 * otherwise fire ky's default 10 s timeout while the request is still on the wire.
 *
 * One listener on `follow` rather than `AbortSignal.any`: in Node that costs about 20 µs per call,
 * more than a loopback request.
 */
export function startAttemptTimer(
  ms: number,
  follow: AbortSignal | undefined,
  error: () => Error,
): AttemptTimer {
  const controller = new AbortController();
  let fired: Error | undefined;
  const handle = setTimeout(() => {
    fired = error();
    controller.abort(fired);
  }, ms);
  const onAbort = (): void => controller.abort(follow?.reason);
  if (follow?.aborted === true) onAbort();
  else follow?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    get error() {
      return fired;
    },
    cancel: () => {
      clearTimeout(handle);
      follow?.removeEventListener('abort', onAbort);
    },
  };
}
