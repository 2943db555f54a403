import type { StateMachine, Transition } from './state-store.ts';

/** The retry budget of one vendor account. Normalized: every field set. */
export interface BudgetConfig {
  /** Tokens when full (and at the start). */
  capacity: number;
  /** Tokens a retry takes. */
  retryCost: number;
  /** Tokens a retry after a timeout takes: timeouts hold resources longer. */
  timeoutCost: number;
  /** Tokens a success without retries gives back. */
  successRefill: number;
  /** An account idle this long is forgiven: its budget is full again. */
  ttlMs: number;
}

/** The budget's record for one account. */
export interface BudgetState {
  tokens: number;
}

/** What the budget is asked. */
export type BudgetInput =
  /** Take `cost` tokens for a retry, if there are that many. */
  | { op: 'withdraw'; cost: number }
  /** Give `amount` tokens back (a success), up to the capacity. */
  | { op: 'deposit'; amount: number };

/** The budget's answer. */
export interface BudgetOutput {
  /** `withdraw`: the retry may go ahead. */
  granted: boolean;
  /** Tokens left after this step. */
  tokens: number;
}

/**
 * The retry budget as a state machine: a token bucket filled by successes and drained by
 * retries, after the AWS SDKs' retry quota (500 tokens, 5 per retry, 10 per retry after a
 * timeout, a success gives back what its retry took or 1 when it needed none). While a vendor
 * fails, first attempts still go out, but retries stop once the bucket is empty: a failing
 * vendor cannot turn every request into `retries + 1` requests (a retry storm). gRPC's retry
 * throttling (proposal A6) is the same idea with other numbers.
 */
export function budgetMachine(config: BudgetConfig): StateMachine<
  BudgetState,
  BudgetInput,
  BudgetOutput
> & {
  readonly config: BudgetConfig;
} {
  return {
    name: 'triage.budget/1',
    config,
    initial: () => ({ tokens: config.capacity }),
    step(state, input): Transition<BudgetState, BudgetOutput> {
      let granted = false;
      if (input.op === 'withdraw') {
        granted = state.tokens >= input.cost;
        if (granted) state.tokens -= input.cost;
      } else {
        state.tokens = Math.min(config.capacity, state.tokens + Math.max(0, input.amount));
      }
      return { state, output: { granted, tokens: state.tokens }, ttlMs: config.ttlMs };
    },
  };
}
