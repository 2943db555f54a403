/**
 * One kind of request a benchmark sends, and the checks a user of a plain HTTP client has to write
 * by hand for it (triage's vendor profiles do the same from their code tables).
 */
export interface VendorCall {
  /** Absolute URL. */
  url: string;
  method: 'GET' | 'POST';
  headers: Readonly<Record<string, string>>;
  /** The body of request `index`, or `undefined` for none. */
  body(index: number): string | undefined;
  /** The answer means "slow down and send it again". */
  isThrottle(status: number, text: string): boolean;
  /** Why the answer is not a success, or `undefined` when it is one. */
  failure(status: number, text: string): string | undefined;
  /**
   * The vendor reports errors inside 200 bodies too (CO3 documents no statuses), so a plain
   * client must look at every body, not only at failed statuses.
   */
  errorsIn200: boolean;
}

/** Transport calls a client made: every attempt, first ones and retries, counted the same way. */
export interface TransportCount {
  attempts: number;
}
