import type { TransportCount, VendorCall } from '../support/vendor-call.ts';

/** A configured HTTP client, as a benchmark drives it. */
export interface BenchClient {
  /** Its name in the tables: `triage + axios`, `ky 2.1.0`. */
  readonly name: string;
  /** Its configuration, in a few words. */
  readonly setup: string;
  /** Every transport call it made: first attempts and retries. */
  readonly count: TransportCount;
  /**
   * Sends request `index` and checks the final answer as a user would. Resolves on a success;
   * rejects when the client finally fails (a give-up).
   */
  send(index: number, signal: AbortSignal): Promise<void>;
}

/** Makes a fresh client (fresh state: no learned limits) for a call. */
export type ClientFactory = (call: VendorCall) => BenchClient;

/**
 * The final check every client's caller makes, triage's included: a "success" that is in fact a
 * vendor error would count as a give-up, so no client can win by resolving errors.
 */
export function expectSuccess(call: VendorCall, status: number, text: string): void {
  const failure = call.failure(status, text);
  if (failure !== undefined) throw new Error(`resolved with a failure: ${failure}`);
}
