import type { Jitter } from './options.ts';

/** The inputs of one backoff step. */
export interface BackoffStep {
  /** 1 for the first retry. */
  retry: number;
  minDelayMs: number;
  maxDelayMs: number;
  factor: number;
  jitter: Jitter;
  /** The previous wait, for decorrelated jitter (the first retry uses `minDelayMs`). */
  previousMs: number;
  /** A vendor's minimum wait for this failure. @default 0 */
  floorMs?: number;
}

/**
 * The wait before a retry: exponential growth capped at `maxDelayMs`, spread by `jitter` with the
 * injected `random` (a number in [0, 1)). Pure: the same inputs give the same wait.
 * The result lies in [floor, max(maxDelayMs, floor)].
 */
export function backoffDelay(step: BackoffStep, random: () => number): number {
  // Whole milliseconds: timers have no finer grain, and tests can state exact waits.
  return Math.round(rawDelay(step, random));
}

function rawDelay(step: BackoffStep, random: () => number): number {
  const floor = Math.max(0, step.floorMs ?? 0);
  const exponent = Math.max(0, step.retry - 1);
  const grown = step.minDelayMs * step.factor ** exponent;
  const ceiling = Math.max(
    floor,
    Math.min(step.maxDelayMs, Number.isFinite(grown) ? grown : step.maxDelayMs),
  );
  const r = clampUnit(random());
  switch (step.jitter) {
    case 'none':
      return ceiling;
    case 'equal': {
      const span = ceiling - floor;
      return floor + span / 2 + r * (span / 2);
    }
    case 'decorrelated': {
      // AWS's "decorrelated jitter": between the base and three times the previous wait.
      const low = Math.max(floor, Math.min(step.minDelayMs, step.maxDelayMs));
      const high = Math.max(low, step.previousMs * 3);
      const cap = Math.max(floor, step.maxDelayMs);
      return Math.min(cap, low + r * (high - low));
    }
    default:
      return floor + r * (ceiling - floor);
  }
}

function clampUnit(value: number): number {
  if (!(value >= 0)) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}
