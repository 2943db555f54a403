import { DEFAULT_RETRY, normalizeRetry } from '@triage/core';
import { describe, expect, test } from 'vitest';

describe('normalizeRetry', () => {
  test('defaults', () => {
    const r = normalizeRetry(undefined);
    expect(r).toEqual({
      ...DEFAULT_RETRY,
      categories: {
        retryable: { retries: 3, minDelayMs: 200, maxDelayMs: 20_000, jitter: 'full' },
        auth: { retries: 1, minDelayMs: 200, maxDelayMs: 20_000, jitter: 'full' },
        validation: { retries: 0, minDelayMs: 200, maxDelayMs: 20_000, jitter: 'full' },
        fatal: { retries: 0, minDelayMs: 200, maxDelayMs: 20_000, jitter: 'full' },
      },
    });
  });

  test('shorthands expand in one place: a number, false', () => {
    expect(normalizeRetry(undefined, 5).retries).toBe(5);
    expect(normalizeRetry(undefined, 5).categories.retryable.retries).toBe(5);
    expect(normalizeRetry(undefined, false).retries).toBe(0);
  });

  test('layers: vendor defaults, then the caller, then the request', () => {
    const r = normalizeRetry(
      { minDelayMs: 1000, retries: 2 },
      { retries: 4, jitter: 'none' },
      { maxElapsedMs: 5000 },
    );
    expect(r).toMatchObject({ minDelayMs: 1000, retries: 4, jitter: 'none', maxElapsedMs: 5000 });
    expect(normalizeRetry({ retries: 2 }, undefined, undefined).retries).toBe(2);
  });

  test('per-category options merge across layers', () => {
    const r = normalizeRetry(
      undefined,
      { categories: { fatal: { retries: 1 } } },
      { categories: { fatal: { minDelayMs: 900 } } },
    );
    expect(r.categories.fatal).toEqual({
      retries: 1,
      minDelayMs: 900,
      maxDelayMs: 20_000,
      jitter: 'full',
    });
  });

  test('nonsense values fall back to defaults; undefined does not erase a lower layer', () => {
    const r = normalizeRetry(
      { minDelayMs: 700 },
      { retries: -1, maxDelayMs: Number.NaN, minDelayMs: undefined, factor: 0.5 },
    );
    expect(r.retries).toBe(3);
    expect(r.maxDelayMs).toBe(20_000);
    expect(r.minDelayMs).toBe(700);
    expect(r.factor).toBe(1);
    expect(normalizeRetry(undefined, { retries: 2.7 }).retries).toBe(2);
  });
});
