import {
  type BreakerConfig,
  type BudgetConfig,
  breakerMachine,
  budgetMachine,
  type ConcurrencyConfig,
  concurrencyMachine,
  type PaceConfig,
  paceMachine,
  type StateMachine,
} from '@triage/core';
import { expect, test } from 'vitest';

// A shared store runs its own copy of each step (a Lua script in Redis): it reads the numbers
// from `machine.config`, so that copy must be the very config the JavaScript step uses.
test('every built-in machine carries the config its step closes over', () => {
  const concurrency: ConcurrencyConfig = {
    adaptive: true,
    initial: 3,
    min: 1,
    max: 9,
    probeIntervalMs: 10,
    latencyTolerance: 2,
    ttlMs: 100,
  };
  const pace: PaceConfig = { rates: [{ requests: 2, perMs: 1000 }], margin: 0.01, ttlMs: 100 };
  const budget: BudgetConfig = {
    capacity: 5,
    retryCost: 5,
    timeoutCost: 10,
    successRefill: 1,
    ttlMs: 100,
  };
  const breaker: BreakerConfig = {
    windowMs: 10,
    minimumRequests: 1,
    failureRatio: 0.5,
    openMs: 10,
    maxOpenMs: 20,
    probeTimeoutMs: 10,
    ttlMs: 100,
  };
  expect(concurrencyMachine(concurrency).config).toBe(concurrency);
  expect(paceMachine(pace).config).toBe(pace);
  expect(budgetMachine(budget).config).toBe(budget);
  expect(breakerMachine(breaker).config).toBe(breaker);

  // Optional on the interface: a machine of one's own need not have it.
  const custom: StateMachine<number, number, number> = {
    name: 'test.custom/1',
    initial: () => 0,
    step: (state, input) => ({ state: state + input, output: state + input, ttlMs: 1 }),
  };
  expect(custom.config).toBeUndefined();
});
