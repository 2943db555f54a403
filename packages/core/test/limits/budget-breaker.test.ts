import {
  type BreakerConfig,
  type BreakerInput,
  breakerMachine,
  budgetMachine,
  type Classification,
  createMemoryStore,
  isBreakerFailure,
  type StateKey,
} from '@triage/core';
import { describe, expect, test } from 'vitest';

describe('retry budget', () => {
  const key: StateKey = { vendor: 'v', account: 'a', kind: 'budget' };
  const machine = budgetMachine({
    capacity: 12,
    retryCost: 5,
    timeoutCost: 10,
    successRefill: 1,
    ttlMs: 1000,
  });

  test('retries draw tokens until too few are left; successes give back up to the capacity', () => {
    const store = createMemoryStore();
    const withdraw = (cost: number, t = 0) =>
      store.apply(key, machine, { op: 'withdraw', cost }, t);
    const deposit = (amount: number) => store.apply(key, machine, { op: 'deposit', amount }, 0);
    expect(withdraw(5)).toEqual({ granted: true, tokens: 7 });
    expect(withdraw(5)).toEqual({ granted: true, tokens: 2 });
    expect(withdraw(5)).toEqual({ granted: false, tokens: 2 });
    expect(deposit(1)).toEqual({ granted: false, tokens: 3 });
    expect(deposit(5)).toEqual({ granted: false, tokens: 8 });
    expect(deposit(50)).toEqual({ granted: false, tokens: 12 });
    expect(deposit(-3)).toEqual({ granted: false, tokens: 12 });
    expect(withdraw(10)).toEqual({ granted: true, tokens: 2 });
    // Idle past ttlMs: forgiven, full again.
    expect(withdraw(10, 999)).toEqual({ granted: false, tokens: 2 });
    expect(withdraw(10, 1999)).toEqual({ granted: true, tokens: 2 });
  });
});

describe('circuit breaker', () => {
  const key: StateKey = { vendor: 'v', account: 'a', kind: 'breaker' };
  const config: BreakerConfig = {
    windowMs: 1000,
    minimumRequests: 4,
    failureRatio: 0.5,
    openMs: 100,
    maxOpenMs: 350,
    probeTimeoutMs: 50,
    ttlMs: 60_000,
  };

  function breaker() {
    const store = createMemoryStore();
    const machine = breakerMachine(config);
    const at = { t: 0 };
    const step = (input: BreakerInput) => store.apply(key, machine, input, at.t);
    const admit = () => step({ op: 'admit' });
    const record = (failure: boolean, probe = false) => step({ op: 'record', failure, probe });
    return { at, step, admit, record };
  }

  test('opens at the failure ratio once the minimum volume is reached', () => {
    const b = breaker();
    expect(b.record(true)).toMatchObject({ state: 'closed', failureRatio: 1, requests: 1 });
    b.record(true);
    expect(b.record(true)).toMatchObject({ state: 'closed', requests: 3 });
    expect(b.record(false)).toEqual({
      allowed: true,
      probe: false,
      state: 'open',
      previous: 'closed',
      retryAfterMs: 0,
      failureRatio: 0,
      requests: 0,
    });
    b.at.t = 40;
    expect(b.admit()).toMatchObject({ allowed: false, state: 'open', retryAfterMs: 60 });
  });

  test('below the ratio it stays closed', () => {
    const b = breaker();
    for (const failure of [true, false, false, false, true, false, false, false])
      expect(b.record(failure).state).toBe('closed');
  });

  test('the previous window counts by its overlap with the sliding window', () => {
    const b = breaker();
    b.record(true);
    b.record(true);
    b.record(true); // 3 failures in [0, 1000)
    b.at.t = 1500; // the previous window weighs 0.5: 1.5 failures of 1.5 attempts
    expect(b.record(false)).toMatchObject({ state: 'closed', failureRatio: 0.6, requests: 2.5 });
    expect(b.record(false)).toMatchObject({ state: 'closed', requests: 3.5 });
    expect(b.record(true)).toMatchObject({ state: 'open', previous: 'closed' });
  });

  test('a long silence starts both windows afresh', () => {
    const b = breaker();
    b.record(true);
    b.record(true);
    b.record(true);
    b.at.t = 5000;
    expect(b.record(true)).toMatchObject({ state: 'closed', requests: 1 });
  });

  test('half-open: one probe at a time; its success closes the circuit', () => {
    const b = breaker();
    for (let i = 0; i < 4; i++) b.record(true);
    b.at.t = 100;
    expect(b.admit()).toMatchObject({
      allowed: true,
      probe: true,
      state: 'half-open',
      previous: 'open',
    });
    expect(b.admit()).toMatchObject({ allowed: false, state: 'half-open', retryAfterMs: 50 });
    // An attempt admitted before the circuit opened reports late: it is ignored.
    expect(b.record(false)).toMatchObject({ state: 'half-open' });
    expect(b.record(false, true)).toMatchObject({ state: 'closed', previous: 'half-open' });
    expect(b.admit()).toMatchObject({ allowed: true, probe: false });
  });

  test('a failed probe opens it again for twice as long, up to maxOpenMs', () => {
    const b = breaker();
    for (let i = 0; i < 4; i++) b.record(true);
    const opens: number[] = [];
    for (let round = 0; round < 4; round++) {
      b.at.t += 1000;
      expect(b.admit()).toMatchObject({ probe: true });
      b.record(true, true);
      opens.push(b.admit().retryAfterMs);
    }
    expect(opens).toEqual([200, 350, 350, 350]);
    b.at.t += 350;
    b.admit();
    b.record(false, true);
    // Closed again: the next opening is back to openMs.
    for (let i = 0; i < 4; i++) b.record(true);
    expect(b.admit().retryAfterMs).toBe(100);
  });

  test('a probe that never reports lets another probe after probeTimeoutMs; a cancelled one at once', () => {
    const b = breaker();
    for (let i = 0; i < 4; i++) b.record(true);
    b.at.t = 100;
    expect(b.admit().probe).toBe(true);
    b.at.t = 149;
    expect(b.admit().allowed).toBe(false);
    b.at.t = 150;
    expect(b.admit().probe).toBe(true);
    b.step({ op: 'cancel', probe: true });
    expect(b.admit().probe).toBe(true);
    b.step({ op: 'cancel', probe: false });
    expect(b.admit().allowed).toBe(false);
  });
});

describe('isBreakerFailure', () => {
  const c = (over: Partial<Classification>): Classification => ({
    vendor: 'v',
    category: 'retryable',
    message: 'm',
    fields: [],
    effect: 'unknown',
    source: 'response',
    ...over,
  });
  test.each([
    ['HTTP 500', c({ status: 500 }), true],
    ['HTTP 503 throttle', c({ status: 503, throttle: true }), true],
    ['a reset', c({ source: 'network', code: 'ECONNRESET' }), true],
    ['a timeout', c({ source: 'timeout' }), true],
    ['fatal of unknown effect', c({ category: 'fatal', status: 200 }), true],
    [
      'fatal of no effect (a definite answer)',
      c({ category: 'fatal', effect: 'none', status: 200 }),
      false,
    ],
    ['HTTP 429', c({ status: 429, throttle: true, effect: 'none' }), false],
    ['CO3 code 8', c({ status: 200, code: '8', throttle: true, effect: 'none' }), false],
    ['validation', c({ category: 'validation', status: 400, effect: 'none' }), false],
    ['auth', c({ category: 'auth', status: 401, effect: 'none' }), false],
    ['retryable vendor code on 200', c({ status: 200, code: 'X' }), false],
  ])('%s: %s', (_name, classification, expected) => {
    expect(isBreakerFailure(classification)).toBe(expected);
  });
});
