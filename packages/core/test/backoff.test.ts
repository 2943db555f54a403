import { type BackoffStep, backoffDelay, type Jitter } from '@triage/core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

const step = (retry: number, jitter: Jitter, extra: Partial<BackoffStep> = {}): BackoffStep => ({
  retry,
  minDelayMs: 100,
  maxDelayMs: 1000,
  factor: 2,
  jitter,
  previousMs: 100,
  ...extra,
});
const fixed = (value: number) => () => value;

describe('backoffDelay', () => {
  test('none: 100, 200, 400, 800, then capped at 1000', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(step(n, 'none'), fixed(0.5)))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  test('full: uniform in [0, step]', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(step(n, 'full'), fixed(0.5)))).toEqual([
      50, 100, 200, 400,
    ]);
    expect(backoffDelay(step(3, 'full'), fixed(0))).toBe(0);
    expect(backoffDelay(step(3, 'full'), fixed(0.999))).toBe(400);
  });

  test('equal: half the step plus a random half', () => {
    expect([1, 2, 3].map((n) => backoffDelay(step(n, 'equal'), fixed(0.5)))).toEqual([
      75, 150, 300,
    ]);
    expect(backoffDelay(step(3, 'equal'), fixed(0))).toBe(200);
  });

  test('decorrelated: between the base and three times the previous wait, capped', () => {
    expect(backoffDelay(step(1, 'decorrelated', { previousMs: 100 }), fixed(0.5))).toBe(200);
    expect(backoffDelay(step(2, 'decorrelated', { previousMs: 200 }), fixed(0.5))).toBe(350);
    expect(backoffDelay(step(3, 'decorrelated', { previousMs: 900 }), fixed(0.5))).toBe(1000);
  });

  test('a vendor floor raises the window: CO3 code 8 waits at least 1 s', () => {
    const floor = { floorMs: 1000, maxDelayMs: 20_000 };
    expect([1, 2, 3].map((n) => backoffDelay(step(n, 'none', floor), fixed(0.5)))).toEqual([
      1000, 1000, 1000,
    ]);
    expect([1, 2, 3].map((n) => backoffDelay(step(n, 'full', floor), fixed(0.5)))).toEqual([
      1000, 1000, 1000,
    ]);
    expect(backoffDelay(step(5, 'full', floor), fixed(0.5))).toBe(1300);
    // A floor above the cap wins: the vendor's minimum is not negotiable.
    expect(backoffDelay(step(1, 'full', { floorMs: 5000 }), fixed(0.5))).toBe(5000);
  });

  test('random values outside [0, 1) are clamped', () => {
    expect(backoffDelay(step(1, 'full'), fixed(-3))).toBe(0);
    expect(backoffDelay(step(1, 'full'), fixed(7))).toBe(100);
    expect(backoffDelay(step(1, 'full'), fixed(Number.NaN))).toBe(0);
  });

  test('huge retry counts do not overflow', () => {
    expect(backoffDelay(step(5000, 'none'), fixed(0.5))).toBe(1000);
  });

  test('property: every delay lies in [0, maxDelayMs] without a floor', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.constantFrom<Jitter>('full', 'equal', 'decorrelated', 'none'),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (retry, minDelayMs, maxDelayMs, factor, jitter, previousMs, r) => {
          const delay = backoffDelay(
            { retry, minDelayMs, maxDelayMs, factor, jitter, previousMs },
            () => r,
          );
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
        },
      ),
    );
  });
});
