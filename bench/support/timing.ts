import { setTimeout as delay } from 'node:timers/promises';

/** Milliseconds on the monotonic clock. Wall-clock time can jump; benchmarks never use it. */
export function now(): number {
  return performance.now();
}

/** The median of a non-empty list (the mean of the middle two for an even length). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The mean of a non-empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Lets the previous run's sockets close and its timers fire before the next run starts, so one
 * run's teardown is not measured as the next one's work.
 */
export function settle(ms = 50): Promise<void> {
  return delay(ms);
}
