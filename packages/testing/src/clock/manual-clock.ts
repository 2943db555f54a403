import type { Clock } from '@triage/core';

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** Options of {@link createManualClock}. */
export interface ManualClockOptions {
  /**
   * Start time in ms since the epoch.
   * @default 0
   */
  start?: number;
  /**
   * Fire each due timer on its own by jumping time forward, one per macrotask, so code that only
   * waits on the clock runs to its end without `advance()` calls. Waits still count in `now()`.
   * @default false
   */
  autoAdvance?: boolean;
}

/** A clock whose time moves only when told to, and that records every wait it was asked for. */
export interface ManualClock extends Clock {
  /** Every `setTimeout` delay requested, in order (cancelled ones included). */
  readonly delays: number[];
  /** Timers not yet fired or cancelled. */
  readonly pending: number;
  /** Moves time forward by `ms`, firing due timers in order and letting promises settle between. */
  advance(ms: number): Promise<void>;
  /** Fires the earliest pending timer (moving time to it); false if there was none. */
  next(): Promise<boolean>;
}

// setImmediate where there is one (Node); a zero timeout in browsers.
const defer: (callback: () => void) => void =
  typeof setImmediate === 'function' ? setImmediate : (callback) => setTimeout(callback, 0);
const macrotask = (): Promise<void> => new Promise((resolve) => defer(resolve));

/**
 * A deterministic clock for tests: inject it as `clock` and assert exact waits.
 *
 * @example
 * ```ts
 * const clock = createManualClock({ autoAdvance: true });
 * const fetch = createTriageFetch({ vendor: co3, clock, random: () => 0.5 });
 * await fetch(url, { method: 'POST', body });
 * expect(clock.delays).toEqual([1000, 1000]);
 * ```
 */
export function createManualClock(options: ManualClockOptions = {}): ManualClock {
  let now = options.start ?? 0;
  let nextId = 1;
  let flushing = false;
  const timers: Timer[] = [];
  const delays: number[] = [];

  function earliest(): Timer | undefined {
    let found: Timer | undefined;
    for (const timer of timers)
      if (
        found === undefined ||
        timer.at < found.at ||
        (timer.at === found.at && timer.id < found.id)
      )
        found = timer;
    return found;
  }

  function fire(timer: Timer): void {
    timers.splice(timers.indexOf(timer), 1);
    now = Math.max(now, timer.at);
    timer.callback();
  }

  function scheduleFlush(): void {
    if (flushing) return;
    flushing = true;
    defer(() => {
      flushing = false;
      const timer = earliest();
      if (timer === undefined) return;
      fire(timer);
      if (timers.length > 0) scheduleFlush();
    });
  }

  const clock: ManualClock = {
    delays,
    get pending() {
      return timers.length;
    },
    now: () => now,
    setTimeout(callback, ms) {
      const timer = { id: nextId++, at: now + Math.max(0, ms), callback };
      delays.push(ms);
      timers.push(timer);
      if (options.autoAdvance === true) scheduleFlush();
      return () => {
        const index = timers.indexOf(timer);
        if (index !== -1) timers.splice(index, 1);
      };
    },
    async advance(ms) {
      const until = now + ms;
      await macrotask();
      for (let timer = earliest(); timer !== undefined && timer.at <= until; timer = earliest()) {
        fire(timer);
        await macrotask();
      }
      now = until;
    },
    async next() {
      await macrotask();
      const timer = earliest();
      if (timer === undefined) return false;
      fire(timer);
      await macrotask();
      return true;
    },
  };
  return clock;
}
