import { type Classification, type DecisionState, decide, normalizeRetry } from '@triage/core';
import { describe, expect, test } from 'vitest';

const c = (over: Partial<Classification>): Classification => ({
  vendor: 'v',
  category: 'retryable',
  message: 'm',
  fields: [],
  effect: 'none',
  source: 'response',
  ...over,
});
const state = (over: Partial<DecisionState> = {}): DecisionState => ({
  retries: { retryable: 0, auth: 0, validation: 0, fatal: 0 },
  totalRetries: 0,
  idempotent: false,
  replayable: true,
  canRefresh: true,
  elapsedMs: 0,
  previousDelayMs: 0,
  ...over,
});
const opts = normalizeRetry(undefined, { jitter: 'none', minDelayMs: 100 });
const half = () => 0.5;

describe('decide', () => {
  test('retryable with effect none: retry after the backoff', () => {
    expect(decide(c({}), state(), opts, half)).toEqual({
      kind: 'retry',
      delayMs: 100,
      reason: 'backoff',
    });
    const second = state({
      retries: { retryable: 1, auth: 0, validation: 0, fatal: 0 },
      totalRetries: 1,
    });
    expect(decide(c({}), second, opts, half)).toEqual({
      kind: 'retry',
      delayMs: 200,
      reason: 'backoff',
    });
  });

  test('effect unknown: only idempotent requests are retried', () => {
    expect(decide(c({ effect: 'unknown' }), state(), opts, half)).toEqual({
      kind: 'fail',
      reason: 'unsafe',
    });
    expect(decide(c({ effect: 'unknown' }), state({ idempotent: true }), opts, half).kind).toBe(
      'retry',
    );
  });

  test('idempotentOnly codes need an idempotent request even with effect none', () => {
    const code = c({ retry: { idempotentOnly: true } });
    expect(decide(code, state(), opts, half)).toEqual({ kind: 'fail', reason: 'unsafe' });
    expect(decide(code, state({ idempotent: true }), opts, half).kind).toBe('retry');
  });

  test('exhausted by the category count, the code cap, or the total', () => {
    const used = state({
      retries: { retryable: 3, auth: 0, validation: 0, fatal: 0 },
      totalRetries: 3,
    });
    expect(decide(c({}), used, opts, half)).toEqual({ kind: 'fail', reason: 'exhausted' });
    const capped = state({
      retries: { retryable: 2, auth: 0, validation: 0, fatal: 0 },
      totalRetries: 2,
    });
    expect(decide(c({ retry: { retries: 2 } }), capped, opts, half)).toEqual({
      kind: 'fail',
      reason: 'exhausted',
    });
    const fatalOpts = normalizeRetry(undefined, {
      retries: 1,
      categories: { fatal: { retries: 5 } },
    });
    expect(decide(c({ category: 'fatal' }), state({ totalRetries: 1 }), fatalOpts, half)).toEqual({
      kind: 'fail',
      reason: 'exhausted',
    });
  });

  test('validation and fatal are not retried unless configured', () => {
    expect(decide(c({ category: 'validation' }), state(), opts, half)).toEqual({
      kind: 'fail',
      reason: 'not-retryable',
    });
    expect(decide(c({ category: 'fatal' }), state({ idempotent: true }), opts, half)).toEqual({
      kind: 'fail',
      reason: 'not-retryable',
    });
    const fatalOnce = normalizeRetry(undefined, {
      jitter: 'none',
      categories: { fatal: { retries: 1, minDelayMs: 1000 } },
    });
    expect(
      decide(
        c({ category: 'fatal', effect: 'unknown' }),
        state({ idempotent: true }),
        fatalOnce,
        half,
      ),
    ).toEqual({ kind: 'retry', delayMs: 1000, reason: 'backoff' });
    expect(decide(c({ category: 'fatal', effect: 'unknown' }), state(), fatalOnce, half)).toEqual({
      kind: 'fail',
      reason: 'unsafe',
    });
  });

  test('a body that cannot be replayed is not retried', () => {
    expect(decide(c({}), state({ replayable: 'ReadableStream body' }), opts, half)).toEqual({
      kind: 'fail',
      reason: 'not-replayable',
    });
    expect(
      decide(
        c({ category: 'auth', refreshable: true }),
        state({ replayable: 'stream' }),
        opts,
        half,
      ),
    ).toEqual({ kind: 'fail', reason: 'not-replayable' });
  });

  test('Retry-After: waited when longer than the backoff; too long fails with the wait', () => {
    expect(decide(c({ retryAfterMs: 3000 }), state(), opts, half)).toEqual({
      kind: 'retry',
      delayMs: 3000,
      reason: 'retry-after',
    });
    expect(decide(c({ retryAfterMs: 10 }), state(), opts, half)).toEqual({
      kind: 'retry',
      delayMs: 100,
      reason: 'backoff',
    });
    expect(decide(c({ retryAfterMs: 61_000 }), state(), opts, half)).toEqual({
      kind: 'fail',
      reason: 'retry-after-too-long',
      retryAfterMs: 61_000,
    });
    const ignoring = normalizeRetry(undefined, {
      jitter: 'none',
      minDelayMs: 100,
      respectRetryAfter: false,
    });
    expect(decide(c({ retryAfterMs: 3000 }), state(), ignoring, half)).toEqual({
      kind: 'retry',
      delayMs: 100,
      reason: 'backoff',
    });
  });

  test('a wait past the deadline fails at once, telling the caller how long to wait', () => {
    const deadline = normalizeRetry(undefined, {
      jitter: 'none',
      minDelayMs: 100,
      maxElapsedMs: 5000,
    });
    expect(decide(c({ retryAfterMs: 4000 }), state({ elapsedMs: 1500 }), deadline, half)).toEqual({
      kind: 'fail',
      reason: 'deadline',
      retryAfterMs: 4000,
    });
    expect(decide(c({ retryAfterMs: 4000 }), state({ elapsedMs: 1000 }), deadline, half).kind).toBe(
      'retry',
    );
  });

  test('auth: refresh when refreshable and configured, once', () => {
    const auth = c({ category: 'auth', refreshable: true });
    expect(decide(auth, state(), opts, half)).toEqual({ kind: 'refresh' });
    expect(decide(auth, state({ canRefresh: false }), opts, half)).toEqual({
      kind: 'fail',
      reason: 'auth-denied',
    });
    expect(decide(c({ category: 'auth', refreshable: false }), state(), opts, half)).toEqual({
      kind: 'fail',
      reason: 'auth-denied',
    });
    expect(
      decide(
        auth,
        state({ retries: { retryable: 0, auth: 1, validation: 0, fatal: 0 } }),
        opts,
        half,
      ),
    ).toEqual({ kind: 'fail', reason: 'auth-exhausted' });
    expect(
      decide(c({ category: 'auth', refreshable: true, effect: 'unknown' }), state(), opts, half),
    ).toEqual({ kind: 'fail', reason: 'unsafe' });
  });

  test('the auth refresh does not use the retry budget', () => {
    const auth = c({ category: 'auth', refreshable: true });
    expect(
      decide(
        auth,
        state({ totalRetries: 3, retries: { retryable: 3, auth: 0, validation: 0, fatal: 0 } }),
        opts,
        half,
      ),
    ).toEqual({ kind: 'refresh' });
  });
});
