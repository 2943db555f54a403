import type { TransportCount } from '../support/vendor-call.ts';
import { type BenchClient, type ClientFactory, expectSuccess } from './client.ts';
import { countingFetch } from './transport.ts';

/** The reference's name in the tables: never counted as a peer. */
export const REFERENCE = 'reference';

/**
 * Not a client anyone could ship: plain fetch **told** the vendor's concurrency, a FIFO semaphore
 * of exactly `limit` permits, no classification, no retries. It is never rejected and never waits
 * longer than a slot takes to free, so its time over the floor is what this machine, this
 * simulator and this harness cost with perfect coordination: the part of every client's figure
 * no client can remove. A throttle would be a give-up (none happens: it never exceeds the limit).
 */
export function semaphoreReference(limit: number): ClientFactory {
  return (call): BenchClient => {
    const count: TransportCount = { attempts: 0 };
    const send = countingFetch(count);
    let free = limit;
    const waiting: (() => void)[] = [];
    return {
      name: REFERENCE,
      setup: `plain fetch told the limit: a semaphore of ${limit}, no retries (not a real client)`,
      count,
      async send(index, signal) {
        if (free > 0) free--;
        else await new Promise<void>((resolve) => waiting.push(resolve));
        try {
          const response = await send(call.url, {
            method: call.method,
            headers: call.headers,
            body: call.body(index),
            signal,
          });
          expectSuccess(call, response.status, await response.text());
        } finally {
          // The permit passes straight to the next in line, as triage's slot hand-over does.
          const next = waiting.shift();
          if (next === undefined) free++;
          else next();
        }
      },
    };
  };
}
