import axios, { type AxiosAdapter } from 'axios';
import type { TransportCount } from '../support/vendor-call.ts';

/**
 * `globalThis.fetch`, counting each call. Every fetch-based client (ky, p-retry, triage's fetch
 * and ky adapters) gets one, so attempts are counted at the same place for all of them, below any
 * retry logic.
 */
export function countingFetch(count: TransportCount): typeof globalThis.fetch {
  return (input, init) => {
    count.attempts++;
    return globalThis.fetch(input, init);
  };
}

/** axios's Node adapter, counting each call: retries (axios-retry's and triage's) go through it. */
export function countingAxiosAdapter(count: TransportCount): AxiosAdapter {
  const http = axios.getAdapter('http');
  return (config) => {
    count.attempts++;
    return http(config);
  };
}
