/** ky's per-attempt `timeout` for one attempt. */
export interface AttemptTimer {
  /** Aborts when the timeout fires. */
  readonly signal: AbortSignal;
  /** The error the attempt failed with, once the timeout fired. */
  readonly error: Error | undefined;
  /** Stops the timer. Never aborts: the response body still has to be read by the caller. */
  cancel(): void;
}

/**
 * Starts ky's `timeout` for one attempt. It runs on real time, as in ky itself: it is ky's option
 * and a real network deadline. triage's own waits and deadlines (`retry.attemptTimeoutMs`,
 * `retry.maxElapsedMs`) run on the injected clock; an injected auto-advancing test clock would
 * otherwise fire ky's default 10 s timeout while the request is still on the wire.
 */
export function startAttemptTimer(ms: number, error: () => Error): AttemptTimer {
  const controller = new AbortController();
  let fired: Error | undefined;
  const handle = setTimeout(() => {
    fired = error();
    controller.abort(fired);
  }, ms);
  return {
    signal: controller.signal,
    get error() {
      return fired;
    },
    cancel: () => clearTimeout(handle),
  };
}
