import type { SimulatorCounters } from '../types.ts';

/** A record safe for keys from the wire (`__proto__` is just a key). */
function record(): Record<string, number> {
  return Object.create(null) as Record<string, number>;
}

/** Fresh counters, all zero. */
export function createCounters(): SimulatorCounters {
  return {
    requests: 0,
    accepted: 0,
    rejected: 0,
    rejectedByCode: record(),
    throttled: 0,
    faults: record(),
    credentialsIssued: 0,
    sideEffects: 0,
    sideEffectsByKey: record(),
    concurrency: 0,
    peakConcurrency: 0,
    busyMs: 0,
  };
}

/** Zeroes the counters in place, so a reference held by a test stays live. */
export function resetCounters(counters: SimulatorCounters): void {
  counters.requests = 0;
  counters.accepted = 0;
  counters.rejected = 0;
  counters.rejectedByCode = record();
  counters.throttled = 0;
  counters.faults = record();
  counters.credentialsIssued = 0;
  counters.sideEffects = 0;
  counters.sideEffectsByKey = record();
  // Calls being served now are still being served (their slot time counts from the reset on).
  counters.peakConcurrency = counters.concurrency;
  counters.busyMs = 0;
}

/** Adds one to a counter by key. */
export function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
