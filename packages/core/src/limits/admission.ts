import type { RequestInfo } from '../errors/vendor-error.ts';
import type { Classification } from '../types/classification.ts';
import type { TriageEvent } from '../types/events.ts';
import type { HeadersLike } from '../types/input.ts';
import type { RateSpec } from '../types/vendor.ts';
import { type Clock, sleep } from '../utils/clock.ts';
import {
  type BreakerInput,
  type BreakerOutput,
  type BreakerState,
  breakerMachine,
} from './circuit-breaker.ts';
import {
  type ConcurrencyInput,
  type ConcurrencyOutput,
  type ConcurrencyState,
  concurrencyMachine,
} from './concurrency-limiter.ts';
import { createMemoryStore } from './memory-store.ts';
import type { NormalizedLimits } from './options.ts';
import {
  createRateDiscovery,
  type DiscoveryChange,
  discoverySuccess,
  discoveryThrottle,
  observeRates,
  type RateDiscovery,
} from './rate-discovery.ts';
import { parseRateLimitHeaders } from './rate-limit-headers.ts';
import { type PaceInput, type PaceOutput, type PaceState, paceMachine } from './rate-pacer.ts';
import {
  type BudgetInput,
  type BudgetOutput,
  type BudgetState,
  budgetMachine,
} from './retry-budget.ts';
import {
  isPromiseLike,
  type MaybePromise,
  type StateKey,
  type StateMachine,
  type StateStore,
} from './state-store.ts';

/** One attempt as the limiters see it. The engine keeps one per request and updates `attempt`. */
export interface AdmissionContext {
  attempt: number;
  request: RequestInfo;
  emit(event: TriageEvent): void;
  signal: AbortSignal | undefined;
  /** No attempt may start after this time on the clock (the total deadline), or `Infinity`. */
  deadline: number;
}

/** Why the limiters will not send an attempt. */
export interface Refusal {
  refused: 'circuit-open' | 'deadline';
  /** When trying again could succeed: the circuit's next probe, or the paced start. */
  retryAfterMs?: number;
}

/** The limiters' state for one account, as this client knows it. */
export interface AccountLimits {
  readonly name: string;
  readonly keys: Readonly<Record<StateKey['kind'], StateKey>>;
}

/** An admitted attempt. Give it back with `release` when the attempt ends, whatever happened. */
export interface Permit {
  readonly account: AccountLimits;
  /** It holds a concurrency slot. */
  slot: boolean;
  /** It is the circuit breaker's half-open probe. */
  probe: boolean;
  /** Slots held, this one included, when it got its slot. */
  inflightAtSend: number;
  /** The limiter's count of attempts served when it got its slot. */
  servedAtSend: number;
  /** When it started waiting, or -1 when it did not wait. */
  waitedSince: number;
  /** When it was sent. */
  sentAt: number;
  /** The start the pacer reserved for it, or -1 when the pacer logged none (no rate). */
  paceAt: number;
  /** The name of its entry in the pacer's log, moved as the attempt is sent and answered. */
  paceEntry: number;
  /** When that entry says it reaches the vendor at the latest. */
  paceBound: number;
  /** The account is held until then: a slot handed over during a hold waits for its end. */
  holdUntil: number;
}

/** What an attempt came to, for the limiters. */
export interface AttemptReport {
  /** The failure, or `undefined` for a success. */
  classification?: Classification | undefined;
  /** The response's headers, for `RateLimit` fields. */
  headers?: HeadersLike | undefined;
  /** The attempt ended without an outcome (the caller aborted). */
  cancelled?: boolean;
  /** Retry-budget tokens this success gives back. */
  refund?: number;
}

/** The per-client coordinator of every limiter: queues, timers, and calls to the state store. */
export interface Admission {
  readonly limits: NormalizedLimits;
  /** The limits of one account (cached). */
  account(name: string): AccountLimits;
  /**
   * Circuit breaker, then pacing, then a concurrency slot (a FIFO wait). Synchronous when nothing
   * waits and the store is synchronous. Rejects with the signal's reason on abort.
   */
  admit(account: AccountLimits, ctx: AdmissionContext): MaybePromise<Permit | Refusal>;
  /** Ends an attempt: frees its slot, adapts the limit, feeds the breaker, learns from headers. */
  release(permit: Permit, report: AttemptReport, ctx: AdmissionContext): void;
  /**
   * Takes `cost` tokens for a retry; `granted: false` means the budget is spent. Only with
   * `limits.budget` set.
   */
  withdraw(account: AccountLimits, cost: number, ctx: AdmissionContext): MaybePromise<BudgetOutput>;
}

interface Waiter {
  ctx: AdmissionContext;
  permit: Permit;
  done: boolean;
  settle(result: Refusal | undefined, error?: unknown): void;
}

interface Account extends AccountLimits {
  queue: (Waiter | undefined)[];
  head: number;
  /** Waiters not yet granted, aborted or timed out. */
  live: number;
  /** Slots this client holds. */
  held: number;
  /**
   * Whether this account's successes are worth reading for rate-limit headers: `unknown` until the
   * first success, then `seen` (sticky) if any response carried them, else `none`. Failures are
   * always read. Saves a microsecond per success for vendors that send none.
   */
  headers: 'unknown' | 'seen' | 'none';
  cancelWake: (() => void) | undefined;
  /** Polls of the store since this client last got a slot from it (see {@link wakeLater}). */
  polls: number;
  /** The limit, the slots in flight and the attempts served as the store last reported them. */
  limit: number;
  inflight: number;
  served: number;
  /**
   * The most slots this client keeps for its own queue, as a shared store last said (its fair
   * share while another client waits with less); unbounded otherwise.
   */
  share: number;
  /** Waiting with fewer slots than its fair share, as a shared store last said: ask again. */
  belowShare: boolean;
  /** Another client of a shared store waits with no slot, as the store last said. */
  starving: boolean;
  /** When this client's turn with the store's slots began (it last went from none to some). */
  turnSince: number;
  /** The longest hold this client knows of (its own, and those the store reported). */
  holdUntil: number;
  /**
   * Until when an asynchronous (shared) store's last breaker answer, `closed`, admits without a
   * round trip; -1 when it does not (see {@link SHARED_CLOSED_MS}).
   */
  closedUntil: number;
  /** Rate discovery (`rate: 'adaptive'`): this client's counts, the rate in force. */
  discovery: RateDiscovery | undefined;
}

/**
 * How long a shared store's answer that the circuit is closed is taken as still true. Admitting
 * through a closed circuit changes no state, so the round trip to the store (a Redis call before
 * every request) only learns whether another process opened it; every answered request brings the
 * shared state back anyway, so a process that sends learns of an opening with its next answer,
 * and one that was quiet for this long asks again. The in-memory store is always asked: its
 * answers are immediate and exact.
 */
const SHARED_CLOSED_MS = 1000;

/** The first poll of a wait for a shared store's slot, doubled for each one after it. */
const FIRST_POLL_MS = 5;

/**
 * How long a client of a shared store keeps passing its slots to its own queue while another
 * client waits with none (more clients wait than there are slots): then it gives one back, and
 * the slots go round. Each turn costs the slot given back about one poll of the waiting client
 * (up to `pollMs`), so turns are long: a few percent of a slot's time, not a round trip per
 * request.
 */
const TURN_MS = 1000;

/** Accounts kept without activity before the cache is pruned of idle ones. */
const MAX_ACCOUNTS = 4096;

const ALLOW: BreakerOutput = Object.freeze({
  allowed: true,
  probe: false,
  state: 'closed',
  previous: 'closed',
  retryAfterMs: 0,
  failureRatio: 0,
  requests: 0,
}) as BreakerOutput;

/** A failed store's answer to a release, a hold or a quota: no slot granted, nothing learned. */
function noSlots(): ConcurrencyOutput {
  return { granted: 0, limit: 0, previous: 0, inflight: 0, served: 0 };
}

/** A failed store's answer to a hold, a learned rate or a moved entry: nothing changed. */
function noPace(): PaceOutput {
  return { at: 0, reserved: false, holdUntil: 0, changed: false };
}

/**
 * Creates the coordinator for one client. The engine stays the one place that decides; this
 * module owns the mechanics: local FIFO queues, their timers, and the store calls.
 */
export function createAdmission(limits: NormalizedLimits, clock: Clock): Admission {
  const store: StateStore = limits.store ?? createMemoryStore();
  const concurrency =
    limits.concurrency === undefined ? undefined : concurrencyMachine(limits.concurrency);
  const pace = paceMachine(limits.pace);
  // With no rate to pace by and none to learn, the pacer only holds the account, and the
  // concurrency record carries holds too: the store call per attempt is saved.
  const paces =
    limits.pace.rates.length > 0 || limits.learnRates || limits.concurrency === undefined;
  const budget = limits.budget === undefined ? undefined : budgetMachine(limits.budget);
  const breaker = limits.breaker === undefined ? undefined : breakerMachine(limits.breaker);
  const accounts = new Map<string, Account>();

  /** A store that fails never blocks a request: its answer is replaced by `fallback`. */
  function apply<S, I, O>(
    key: StateKey,
    machine: StateMachine<S, I, O>,
    input: I,
    fallback: (input: I) => O,
  ): MaybePromise<O> {
    try {
      const answer = store.apply(key, machine, input, clock.now());
      return isPromiseLike(answer) ? answer.then(undefined, () => fallback(input)) : answer;
    } catch {
      return fallback(input);
    }
  }

  /** Runs `next` at once on a value, or when a promise settles: sync stores stay sync. */
  function then<T, U>(
    value: MaybePromise<T>,
    next: (value: T) => MaybePromise<U>,
  ): MaybePromise<U> {
    return isPromiseLike(value) ? value.then(next) : next(value);
  }

  function event(
    ctx: AdmissionContext,
    account: AccountLimits,
  ): {
    vendor: string;
    time: number;
    attempt: number;
    request: RequestInfo;
    account: string;
  } {
    return {
      vendor: limits.vendor,
      time: clock.now(),
      attempt: ctx.attempt,
      request: ctx.request,
      account: account.name,
    };
  }

  function account(name: string): Account {
    let found = accounts.get(name);
    if (found !== undefined) return found;
    if (accounts.size >= MAX_ACCOUNTS) {
      for (const [key, idle] of accounts)
        if (idle.held === 0 && idle.live === 0) accounts.delete(key);
    }
    const key = (kind: StateKey['kind']): StateKey =>
      Object.freeze({ vendor: limits.vendor, account: name, kind });
    found = {
      name,
      keys: Object.freeze({
        concurrency: key('concurrency'),
        pace: key('pace'),
        budget: key('budget'),
        breaker: key('breaker'),
      }),
      queue: [],
      head: 0,
      live: 0,
      held: 0,
      headers: 'unknown',
      cancelWake: undefined,
      polls: 0,
      limit: 0,
      inflight: 0,
      served: 0,
      share: Number.POSITIVE_INFINITY,
      belowShare: false,
      starving: false,
      turnSince: 0,
      holdUntil: 0,
      closedUntil: -1,
      discovery: undefined,
    };
    accounts.set(name, found);
    return found;
  }

  // ---- circuit breaker -------------------------------------------------------------------

  /** Notes a shared store's breaker answer: while it says closed, admissions need not ask. */
  function noteBreaker(acc: Account, answer: MaybePromise<BreakerOutput>): void {
    if (!isPromiseLike(answer)) return;
    void answer.then((out) => {
      acc.closedUntil = out.state === 'closed' ? clock.now() + SHARED_CLOSED_MS : -1;
    });
  }

  function admitBreaker(acc: Account, ctx: AdmissionContext): MaybePromise<Refusal | boolean> {
    if (breaker === undefined) return false;
    // -1 (never set, or not closed) skips the clock read: the in-memory store always asks.
    if (acc.closedUntil >= 0 && clock.now() < acc.closedUntil) return false;
    const answer = apply<BreakerState, BreakerInput, BreakerOutput>(
      acc.keys.breaker,
      breaker,
      { op: 'admit' },
      () => ALLOW,
    );
    noteBreaker(acc, answer);
    return then(answer, (out): Refusal | boolean => {
      if (!out.allowed) {
        ctx.emit({
          type: 'circuit',
          ...event(ctx, acc),
          decision: 'rejected',
          state: out.state,
          failureRatio: out.failureRatio,
          requests: out.requests,
          retryAfterMs: out.retryAfterMs,
        });
        return { refused: 'circuit-open', retryAfterMs: out.retryAfterMs };
      }
      if (out.probe)
        ctx.emit({
          type: 'circuit',
          ...event(ctx, acc),
          decision: 'half-open',
          state: out.state,
          failureRatio: out.failureRatio,
          requests: out.requests,
        });
      return out.probe;
    });
  }

  function recordBreaker(
    acc: Account,
    permit: Permit,
    report: AttemptReport,
    ctx: AdmissionContext | undefined,
  ): void {
    if (breaker === undefined) return;
    if (report.cancelled || ctx === undefined) {
      if (permit.probe)
        void apply(acc.keys.breaker, breaker, { op: 'cancel', probe: true }, () => ALLOW);
      return;
    }
    const c = report.classification;
    const failure = c !== undefined && limits.breaker!.isFailure(c);
    const answer = apply<BreakerState, BreakerInput, BreakerOutput>(
      acc.keys.breaker,
      breaker,
      { op: 'record', failure, probe: permit.probe },
      () => ALLOW,
    );
    noteBreaker(acc, answer);
    void then(answer, (out) => {
      if (out.state === out.previous) return;
      const opened = out.state === 'open';
      const base = {
        type: 'circuit' as const,
        ...event(ctx, acc),
        decision: opened ? ('opened' as const) : ('closed' as const),
        state: out.state,
        failureRatio: out.failureRatio,
        requests: out.requests,
      };
      ctx.emit(opened ? { ...base, retryAfterMs: limits.breaker!.openMs } : base);
    });
  }

  // ---- concurrency -----------------------------------------------------------------------

  /** What the store last said about the account's slots and holds. */
  function note(acc: Account, out: ConcurrencyOutput): void {
    acc.limit = out.limit;
    acc.inflight = out.inflight;
    acc.served = out.served;
    acc.share = out.share ?? Number.POSITIVE_INFINITY;
    acc.belowShare = out.belowShare === true;
    acc.starving = out.starving === true;
    if (out.holdUntil !== undefined && out.holdUntil > acc.holdUntil) acc.holdUntil = out.holdUntil;
  }

  function releaseSlot(
    acc: Account,
    permit: Permit,
    outcome: Extract<ConcurrencyInput, { op: 'release' }>['outcome'],
    ctx: AdmissionContext | undefined,
  ): void {
    if (!permit.slot || concurrency === undefined) return;
    permit.slot = false;
    // The slot passes straight to the next queued request, so no store round trip stands between
    // one answer and the next start; the store is told in the same call that releases it. Not
    // after a throttle (the limit falls to the slots still in flight) nor while the store reports
    // more slots in flight than the limit (a lower quota), nor above this client's fair share
    // while another client of a shared store waits with less, nor after this client's turn while
    // another waits with no slot at all: then the store decides.
    let next: Waiter | undefined;
    if (outcome !== 'throttled' && acc.inflight <= acc.limit && acc.held <= acc.share) {
      if (acc.starving && clock.now() - acc.turnSince >= TURN_MS) {
        // One slot back per turn (a rare branch: two clock reads): the next is due a turn later.
        acc.turnSince = clock.now();
      } else {
        next = nextWaiter(acc);
      }
    }
    acc.held--;
    const answer = apply<ConcurrencyState, ConcurrencyInput, ConcurrencyOutput>(
      acc.keys.concurrency,
      concurrency,
      {
        op: 'release',
        outcome,
        latencyMs: clock.now() - permit.sentAt,
        inflightAtSend: permit.inflightAtSend,
        servedAtSend: permit.servedAtSend,
        // Still counts `next`, whom hand() takes off it below.
        waiting: acc.live,
        ...(next === undefined ? {} : { keep: true }),
      },
      noSlots,
    );
    let kept = next;
    const answered = (out: ConcurrencyOutput): void => {
      if (out.reason !== undefined && ctx !== undefined)
        ctx.emit({
          type: 'limit',
          ...event(ctx, acc),
          limit: out.limit,
          previous: out.previous,
          reason: out.reason,
          inflight: out.inflight,
        });
      if (out.limit > 0) note(acc, out);
      if (kept !== undefined) hand(acc, kept, out.inflight, out.served);
      kept = undefined;
      grant(acc, out.granted, out.inflight, out.served);
    };
    if (!isPromiseLike(answer)) {
      answered(answer);
      return;
    }
    // A store across the network answers later: the kept slot does not wait for it. A hold that
    // another process set reaches this one with the answer, for the hand-offs after this one.
    if (kept !== undefined) hand(acc, kept, acc.inflight, acc.served);
    kept = undefined;
    void answer.then(answered);
  }

  /** The first waiter still waiting, taken off the queue. */
  function nextWaiter(acc: Account): Waiter | undefined {
    while (acc.head < acc.queue.length) {
      const waiter = acc.queue[acc.head];
      acc.queue[acc.head++] = undefined;
      if (waiter !== undefined && !waiter.done) return waiter;
    }
    compact(acc);
    return undefined;
  }

  /** Gives a waiter its slot: it goes, after the account's hold if there is one. */
  function hand(acc: Account, waiter: Waiter, inflight: number, served: number): void {
    acc.live--;
    acc.held++;
    waiter.permit.slot = true;
    waiter.permit.inflightAtSend = inflight;
    waiter.permit.servedAtSend = served;
    waiter.permit.holdUntil = acc.holdUntil;
    waiter.settle(undefined);
    compact(acc);
  }

  /** Hands `count` slots to the queue's head, in order; slots nobody can take go back. */
  function grant(acc: Account, count: number, inflight: number, served: number): void {
    if (count > 0) gotSlots(acc);
    let left = count;
    for (let waiter = left > 0 ? nextWaiter(acc) : undefined; waiter !== undefined; ) {
      left--;
      hand(acc, waiter, inflight - left, served);
      waiter = left > 0 ? nextWaiter(acc) : undefined;
    }
    // Granted to waiters that left meanwhile (an asynchronous store answered late): give back.
    for (; left > 0; left--) {
      acc.held++;
      releaseSlot(
        acc,
        { ...blankPermit(acc), slot: true, sentAt: clock.now() },
        'cancelled',
        undefined,
      );
    }
    if (acc.live > 0 && (acc.held === 0 || acc.belowShare)) wakeLater(acc);
  }

  /**
   * The store granted this client slots (before they are counted in `held`): a wait's polls
   * start over, and a turn begins if it held none.
   */
  function gotSlots(acc: Account): void {
    acc.polls = 0;
    if (acc.held === 0) acc.turnSince = clock.now();
  }

  function compact(acc: Account): void {
    if (acc.head === acc.queue.length) {
      acc.queue.length = 0;
      acc.head = 0;
    } else if (acc.head > 1024 && acc.head * 2 > acc.queue.length) {
      acc.queue = acc.queue.slice(acc.head);
      acc.head = 0;
    }
  }

  /**
   * Asks the store again later: needed when no slot this client holds will be released to wake
   * the queue (the slots are held by other clients of a shared store), or when a shared store
   * says this client waits below its fair share (`ConcurrencyOutput.belowShare`: another client
   * gives back slots for it, which its own releases might find only much later). The first polls
   * of a wait come sooner (5, 10, 20, 40 ms apart, then every `pollMs`): a slot given back for
   * this client is found within a few milliseconds, while a long wait costs the store no more
   * calls than a steady `pollMs`.
   */
  function wakeLater(acc: Account): void {
    if (acc.cancelWake !== undefined) return;
    const ms = Math.min(limits.pollMs, FIRST_POLL_MS * 2 ** acc.polls++);
    acc.cancelWake = clock.setTimeout(() => {
      acc.cancelWake = undefined;
      if (acc.live === 0 || concurrency === undefined) return;
      const answer = apply<ConcurrencyState, ConcurrencyInput, ConcurrencyOutput>(
        acc.keys.concurrency,
        concurrency,
        { op: 'acquire', want: acc.live },
        () => ({ granted: acc.live, limit: 0, previous: 0, inflight: 0, served: 0 }),
      );
      void then(answer, (out) => {
        if (out.limit > 0) note(acc, out);
        grant(acc, out.granted, out.inflight, out.served);
      });
    }, ms);
  }

  function takeSlot(
    acc: Account,
    ctx: AdmissionContext,
    permit: Permit,
  ): MaybePromise<Refusal | undefined> {
    if (concurrency === undefined) return undefined;
    // FIFO: nobody overtakes a queued request.
    if (acc.live > 0) return enqueue(acc, ctx, permit, undefined);
    const answer = apply<ConcurrencyState, ConcurrencyInput, ConcurrencyOutput>(
      acc.keys.concurrency,
      concurrency,
      { op: 'acquire', want: 1 },
      () => ({ granted: 1, limit: 0, previous: 0, inflight: 1, served: 0 }),
    );
    return then(answer, (out) => {
      if (out.limit > 0) note(acc, out);
      if (out.granted < 1) return enqueue(acc, ctx, permit, out);
      gotSlots(acc);
      acc.held++;
      permit.slot = true;
      permit.inflightAtSend = out.inflight;
      permit.servedAtSend = out.served;
      permit.holdUntil = acc.holdUntil;
      return undefined;
    });
  }

  function enqueue(
    acc: Account,
    ctx: AdmissionContext,
    permit: Permit,
    seen: ConcurrencyOutput | undefined,
  ): Promise<Refusal | undefined> {
    const now = clock.now();
    if (ctx.signal?.aborted) return Promise.reject(ctx.signal.reason);
    if (ctx.deadline <= now) return Promise.resolve({ refused: 'deadline' });
    if (permit.waitedSince < 0) permit.waitedSince = now;
    ctx.emit({
      type: 'wait',
      ...event(ctx, acc),
      reason: 'concurrency',
      ...(seen === undefined ? {} : { limit: seen.limit, inflight: seen.inflight }),
      queued: acc.live,
    });
    return new Promise<Refusal | undefined>((resolve, reject) => {
      let cancelTimer: (() => void) | undefined;
      const signal = ctx.signal;
      const onAbort = (): void => waiter.settle(undefined, signal?.reason ?? new Error('aborted'));
      const waiter: Waiter = {
        ctx,
        permit,
        done: false,
        // Called once: by hand(), the abort listener or the deadline timer, each of which the
        // others are disarmed by.
        settle(result, error) {
          waiter.done = true;
          cancelTimer?.();
          signal?.removeEventListener('abort', onAbort);
          if (!permit.slot) acc.live--;
          if (error !== undefined) reject(error);
          else resolve(result);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (Number.isFinite(ctx.deadline))
        cancelTimer = clock.setTimeout(
          () => waiter.settle({ refused: 'deadline' }),
          ctx.deadline - now,
        );
      acc.queue.push(waiter);
      acc.live++;
      if (acc.held === 0) wakeLater(acc);
    });
  }

  // ---- pacing ----------------------------------------------------------------------------

  /**
   * Reserves the attempt's start and waits for it. Pacing comes before the slot, so that a request
   * waiting for its start holds no slot: the limiter counts only what the vendor may be serving.
   */
  function takePace(
    acc: Account,
    ctx: AdmissionContext,
    permit: Permit,
  ): MaybePromise<Refusal | undefined> {
    const asked = clock.now();
    if (!paces) return holdOff(acc, ctx, permit, acc.holdUntil);
    const answer = apply<PaceState, PaceInput, PaceOutput>(
      acc.keys.pace,
      pace,
      { op: 'take', maxWaitMs: ctx.deadline - asked },
      () => ({ at: asked, reserved: true, holdUntil: 0, changed: false }),
    );
    return then(answer, (out): MaybePromise<Refusal | undefined> => {
      const now = clock.now();
      if (out.holdUntil > acc.holdUntil) acc.holdUntil = out.holdUntil;
      if (out.entry !== undefined && out.bound !== undefined) {
        permit.paceAt = out.at;
        permit.paceEntry = out.entry;
        permit.paceBound = out.bound;
      }
      if (limits.discoverRate) {
        acc.discovery ??= createRateDiscovery();
        const d = acc.discovery;
        observeRates(d, out.learned, out.learnedAt);
        // Requests waiting for the rate: it is in demand, whatever this client's share of it.
        if (out.at > now && out.reason === 'rate') d.waitedAt = now;
      }
      if (out.at <= now) return undefined;
      if (!out.reserved) return { refused: 'deadline', retryAfterMs: out.at - now };
      return wait(acc, ctx, permit, out.at, out.reason ?? 'rate');
    });
  }

  /** Waits until `until` (a paced start, a hold), abortably. */
  function wait(
    acc: Account,
    ctx: AdmissionContext,
    permit: Permit,
    until: number,
    reason: 'rate' | 'hold',
  ): Promise<undefined> {
    const now = clock.now();
    if (permit.waitedSince < 0) permit.waitedSince = now;
    ctx.emit({ type: 'wait', ...event(ctx, acc), reason, delayMs: until - now });
    return sleep(clock, until - now, ctx.signal).then(() => undefined);
  }

  /** Waits for the end of a hold, or refuses when the hold outlasts the deadline. */
  function holdOff(
    acc: Account,
    ctx: AdmissionContext,
    permit: Permit,
    until: number,
  ): MaybePromise<Refusal | undefined> {
    const now = clock.now();
    if (until <= now) return undefined;
    if (until > ctx.deadline) return { refused: 'deadline', retryAfterMs: until - now };
    return wait(acc, ctx, permit, until, 'hold');
  }

  /** The attempt leaves now. */
  function admitted(acc: Account, ctx: AdmissionContext, permit: Permit): Permit {
    const now = clock.now();
    if (permit.waitedSince >= 0)
      ctx.emit({ type: 'admitted', ...event(ctx, acc), waitedMs: now - permit.waitedSince });
    permit.sentAt = now;
    // Later than its reserved start (a timer fired late, a slot came later): its log entry moves
    // as much, since the vendor counts it from when it arrives.
    if (permit.paceAt >= 0 && now > permit.paceAt)
      movePace(acc, permit, permit.paceBound + (now - permit.paceAt));
    return permit;
  }

  function movePace(acc: Account, permit: Permit, to: number): void {
    permit.paceBound = to;
    void apply<PaceState, PaceInput, PaceOutput>(
      acc.keys.pace,
      pace,
      { op: 'move', entry: permit.paceEntry, to },
      noPace,
    );
  }

  /** An admitted attempt that will not be sent: its slot and its probe go back. */
  function abandon(acc: Account, permit: Permit): void {
    releaseSlot(acc, permit, 'cancelled', undefined);
    recordBreaker(acc, permit, { cancelled: true }, undefined);
  }

  function hold(
    acc: Account,
    ctx: AdmissionContext,
    ms: number,
    reason: 'retry-after' | 'ratelimit' | 'throttle',
  ): void {
    const delayMs = Math.min(ms, limits.maxHoldMs);
    if (!(delayMs > 0)) return;
    const until = clock.now() + delayMs;
    if (until > acc.holdUntil) acc.holdUntil = until;
    const answer = apply<PaceState, PaceInput, PaceOutput>(
      acc.keys.pace,
      pace,
      { op: 'hold', until },
      noPace,
    );
    // The concurrency record keeps it too: a slot it hands to a queued request (in any process)
    // carries the hold, and that request, paced before it queued, waits for it.
    if (concurrency !== undefined)
      void apply<ConcurrencyState, ConcurrencyInput, ConcurrencyOutput>(
        acc.keys.concurrency,
        concurrency,
        { op: 'hold', until },
        noSlots,
      );
    void then(answer, (out) => {
      if (out.changed) ctx.emit({ type: 'hold', ...event(ctx, acc), delayMs, reason });
    });
  }

  function learn(
    acc: Account,
    ctx: AdmissionContext,
    headers: HeadersLike,
    success: boolean,
  ): void {
    if (success && acc.headers === 'none') return;
    const info = parseRateLimitHeaders(headers, clock.now());
    if (info === undefined) {
      if (success && acc.headers === 'unknown') acc.headers = 'none';
      return;
    }
    acc.headers = 'seen';
    if (info.rates.length > 0 && limits.learnRates) paceBy(acc, ctx, info.rates, 'headers');
    if (info.exhaustedForMs !== undefined) hold(acc, ctx, info.exhaustedForMs, 'ratelimit');
    if (info.concurrency !== undefined && concurrency !== undefined) {
      const answer = apply<ConcurrencyState, ConcurrencyInput, ConcurrencyOutput>(
        acc.keys.concurrency,
        concurrency,
        { op: 'ceiling', max: info.concurrency },
        noSlots,
      );
      void then(answer, (out) => {
        if (out.reason !== undefined)
          ctx.emit({
            type: 'limit',
            ...event(ctx, acc),
            limit: out.limit,
            previous: out.previous,
            reason: out.reason,
            inflight: out.inflight,
          });
      });
    }
  }

  /** Paces the account by `rates` too (advertised, or discovered), replacing those learned before. */
  function paceBy(
    acc: Account,
    ctx: AdmissionContext,
    rates: RateSpec[],
    source: 'headers' | 'throttles',
    ifRates?: readonly RateSpec[],
  ): void {
    const input: PaceInput =
      ifRates === undefined ? { op: 'learn', rates } : { op: 'learn', rates, ifRates };
    const answer = apply<PaceState, PaceInput, PaceOutput>(acc.keys.pace, pace, input, noPace);
    void then(answer, (out) => {
      if (source === 'throttles' && acc.discovery !== undefined)
        observeRates(acc.discovery, out.learned, out.learnedAt);
      if (out.changed) ctx.emit({ type: 'rate', ...event(ctx, acc), rates, source });
    });
  }

  /**
   * Rate discovery (`rate: 'adaptive'`): successes are counted; a throttle that said nothing else
   * slows the account. A vendor that advertises its rate in headers is paced by those instead, and
   * a throttle of a request sent while others were in flight is the concurrency limiter's to
   * answer: only one sent alone is surely about the rate.
   */
  function discover(
    acc: Account,
    ctx: AdmissionContext,
    permit: Permit,
    c: Classification | undefined,
  ): void {
    if (acc.headers === 'seen') return;
    acc.discovery ??= createRateDiscovery();
    let change: DiscoveryChange | undefined;
    if (c === undefined) {
      change = discoverySuccess(acc.discovery, clock.now(), acc.holdUntil);
    } else if (
      c.throttle === true &&
      c.retryAfterMs === undefined &&
      (concurrency === undefined || permit.inflightAtSend <= 1)
    ) {
      change = discoveryThrottle(acc.discovery, clock.now());
    }
    if (change === undefined) return;
    // The rate first, so that the starts the hold releases are paced by it.
    paceBy(acc, ctx, change.rates, 'throttles', change.ifRates);
    if (change.holdMs !== undefined) hold(acc, ctx, change.holdMs, 'throttle');
  }

  /** Moves the attempt's log entry down to the time it was answered: an answer proves the arrival. */
  function arrivedBy(acc: Account, permit: Permit): void {
    if (permit.paceAt < 0) return;
    const now = clock.now();
    if (now < permit.paceBound) movePace(acc, permit, now);
    permit.paceAt = -1;
  }

  // ---- the coordinator's API -------------------------------------------------------------

  function blankPermit(acc: Account): Permit {
    return {
      account: acc,
      slot: false,
      probe: false,
      inflightAtSend: 0,
      servedAtSend: 0,
      waitedSince: -1,
      sentAt: 0,
      paceAt: -1,
      paceEntry: 0,
      paceBound: 0,
      holdUntil: 0,
    };
  }

  /**
   * Goes on with `next` once a step of admission lets the attempt through. A refusal or an abort
   * ends the admission: what the permit holds so far (a slot, a probe) goes back.
   */
  function step(
    acc: Account,
    permit: Permit,
    answer: MaybePromise<Refusal | undefined>,
    next: () => MaybePromise<Permit | Refusal>,
  ): MaybePromise<Permit | Refusal> {
    const go = (refusal: Refusal | undefined): MaybePromise<Permit | Refusal> => {
      if (refusal === undefined) return next();
      abandon(acc, permit);
      return refusal;
    };
    if (!isPromiseLike(answer)) return go(answer);
    return answer.then(go, (error: unknown) => {
      abandon(acc, permit);
      throw error;
    });
  }

  return {
    limits,
    account,
    admit(accountLimits, ctx) {
      const acc = accountLimits as Account;
      return then(admitBreaker(acc, ctx), (probe): MaybePromise<Permit | Refusal> => {
        if (typeof probe === 'object') return probe;
        const permit = blankPermit(acc);
        permit.probe = probe;
        // Pacing, then the slot, then the end of a hold that began while it queued.
        return step(acc, permit, takePace(acc, ctx, permit), () =>
          step(acc, permit, takeSlot(acc, ctx, permit), () =>
            step(acc, permit, holdOff(acc, ctx, permit, permit.holdUntil), () =>
              admitted(acc, ctx, permit),
            ),
          ),
        );
      });
    },
    release(permit, report, ctx) {
      const acc = permit.account as Account;
      const c = report.classification;
      const outcome = report.cancelled
        ? 'cancelled'
        : c === undefined
          ? 'success'
          : c.throttle === true
            ? 'throttled'
            : 'failure';
      if (!report.cancelled) {
        arrivedBy(acc, permit);
        // Holds and advertised quotas first, so that the slot this release hands on knows them.
        // A throttle's Retry-After holds the whole account: every queued request would be
        // rejected during that time otherwise.
        if (c?.throttle === true && c.retryAfterMs !== undefined)
          hold(acc, ctx, c.retryAfterMs, 'retry-after');
        if (limits.headers && report.headers !== undefined)
          learn(acc, ctx, report.headers, c === undefined);
        if (limits.discoverRate) discover(acc, ctx, permit, c);
      }
      releaseSlot(acc, permit, outcome, ctx);
      recordBreaker(acc, permit, report, ctx);
      if (report.cancelled) return;
      if (budget !== undefined && report.refund !== undefined && report.refund > 0)
        void apply<BudgetState, BudgetInput, BudgetOutput>(
          acc.keys.budget,
          budget,
          { op: 'deposit', amount: report.refund },
          () => ({ granted: true, tokens: 0 }),
        );
    },
    withdraw(accountLimits, cost, ctx) {
      const acc = accountLimits as Account;
      const answer = apply<BudgetState, BudgetInput, BudgetOutput>(
        acc.keys.budget,
        budget!,
        { op: 'withdraw', cost },
        () => ({ granted: true, tokens: 0 }),
      );
      return then(answer, (out) => {
        if (!out.granted)
          ctx.emit({
            type: 'retry-budget',
            ...event(ctx, acc),
            decision: 'exhausted',
            tokens: out.tokens,
            cost,
          });
        return out;
      });
    },
  };
}
