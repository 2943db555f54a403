/**
 * Wraps `run` so that concurrent calls share one run: while a run is under way every caller gets
 * its promise; the next call after it settles starts a new one. The auth helpers use it so that
 * ten requests needing a token cause one login.
 *
 * @example
 * ```ts
 * const login = singleFlight(() => fetchToken());
 * const [a, b] = await Promise.all([login(), login()]); // one fetchToken()
 * ```
 */
export function singleFlight<T>(run: () => Promise<T>): () => Promise<T> {
  let inflight: Promise<T> | undefined;
  return () => {
    if (inflight === undefined) {
      const flight = run().finally(() => {
        if (inflight === flight) inflight = undefined;
      });
      inflight = flight;
    }
    return inflight;
  };
}
