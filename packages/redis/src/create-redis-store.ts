import type {
  ConcurrencyInput,
  ConcurrencyOutput,
  MaybePromise,
  StateKey,
  StateMachine,
  StateStore,
} from '@triage/core';
import {
  type AccountLink,
  addSlots,
  busyLeases,
  idleRetiredLeases,
  LOCAL,
  takeSlot,
} from './account-link.ts';
import type { RedisDegradedEvent, RedisStoreEvent } from './events.ts';
import { accountTag, concurrencyKeys, recordKey } from './keys.ts';
import { normalizeRedisStoreOptions, type RedisStoreOptions } from './options.ts';
import { isUsable, runScript } from './redis-client.ts';
import { concurrencyScript } from './scripts/concurrency.ts';
import { SCRIPTS } from './scripts/index.ts';
import { type LuaScript, toLuaJson } from './scripts/lua.ts';

/** A {@link StateStore} on Redis. */
export interface RedisStore extends StateStore {
  /**
   * Shuts the store down gracefully; await it before `redis.quit()`. It stops the background work
   * (recovery probes and lease refreshes), waits for the calls still on their way to Redis (each
   * within `timeoutMs`), then gives back whatever Redis still counts under this store's leases
   * beyond the slots in use. Without it, the last releases of a process that quits at once can be
   * lost (ioredis's auto-pipelining sends them after `QUIT`), and the account would run short of
   * those slots for up to `leaseMs`. The store still answers afterwards; slots still in use stay
   * counted until they are released or their lease expires.
   *
   * @example
   * ```ts
   * await store.close();
   * await redis.quit();
   * ```
   */
  close(): Promise<void>;
}

/** Links kept before idle ones are pruned. */
const MAX_LINKS = 4096;

/** Runs `callback` after the I/O callbacks of this event-loop turn (`setImmediate` in Node). */
const afterIo: (callback: () => void) => void =
  typeof setImmediate === 'function' ? (callback) => void setImmediate(callback) : (f) => f();

/**
 * Creates the state store on Redis: every engine given it, in any process, shares each vendor
 * account's concurrency limit, pacing, retry budget and circuit breaker.
 *
 * - **Atomic**: each step is one Lua script (`EVALSHA`), the JavaScript step ported line for
 *   line, on the state as JSON under `<prefix>:{<vendor>:<account>}:<kind>`, with `PEXPIRE`.
 * - **Bounded**: a call that Redis does not answer within `timeoutMs`, or answers with an error,
 *   is answered by a local in-memory store instead, and so is every later call for that account
 *   (at once, without waiting) until a probe every `retryIntervalMs` finds Redis again. A
 *   request never waits on Redis longer than `timeoutMs`, and is never dropped.
 * - **Leases**: the concurrency slots of a process are counted under its lease, which it
 *   refreshes; a crashed process's slots come back after `leaseMs`.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { createTriageFetch } from '@triage/fetch';
 * import { createRedisStore } from '@triage/redis';
 * import { co3 } from '@triage/vendors/co3';
 *
 * const store = createRedisStore({ redis: new Redis(process.env.REDIS_URL) });
 * // In every worker: one limit for the account, however many workers run.
 * const fetchCo3 = createTriageFetch({ vendor: co3, limits: { store } });
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const o = normalizeRedisStoreOptions(options);
  const { redis, fallback: local, clock } = o;
  const links = new Map<string, AccountLink>();
  const configs = new WeakMap<object, string | null>();
  const keyNames = new WeakMap<StateKey, string>();
  const leaseMs = String(o.leaseMs);
  const waitingMs = String(o.waitingMs);
  let leases = 0;
  let probeTimer: (() => void) | undefined;
  let refreshTimer: (() => void) | undefined;
  let closed = false;
  /** Calls on their way to Redis, for `close` to wait for. */
  const calls = new Set<Promise<unknown>>();

  const newLease = (): string => `${o.clientId}:${++leases}`;

  function emit(event: RedisStoreEvent): void {
    try {
      o.onEvent?.(event);
    } catch {
      // A listener's failure is not the store's: requests go on.
    }
  }

  /** The config JSON a machine's script reads, or `null` when it has no script or no config. */
  function configOf(machine: StateMachine<unknown, unknown, unknown>): string | null {
    let config = configs.get(machine);
    if (config === undefined) {
      const numbers = SCRIPTS.get(machine.name)?.config(machine.config);
      config = numbers === undefined ? null : toLuaJson(numbers);
      configs.set(machine, config);
    }
    return config;
  }

  function nameOf(key: StateKey): string {
    let name = keyNames.get(key);
    if (name === undefined) {
      name = recordKey(o.prefix, key);
      keyNames.set(key, name);
    }
    return name;
  }

  function linkOf(key: StateKey): AccountLink {
    const tag = accountTag(key.vendor, key.account);
    let link = links.get(tag);
    if (link !== undefined) return link;
    if (links.size >= MAX_LINKS) {
      for (const [name, idle] of links)
        if (idle.shared && idle.pending.size === 0 && busyLeases(idle).length === 0)
          links.delete(name);
    }
    link = {
      vendor: key.vendor,
      account: key.account,
      shared: true,
      localSince: 0,
      lease: newLease(),
      pools: new Map(),
      pending: new Set(),
      concurrency: undefined,
    };
    links.set(tag, link);
    return link;
  }

  // ---- degradation -----------------------------------------------------------------------

  function degrade(link: AccountLink, reason: RedisDegradedEvent['reason'], error?: unknown): void {
    if (!link.shared) return;
    link.shared = false;
    link.localSince = clock.now();
    if (!link.pools.has(link.lease)) link.pools.set(link.lease, 0);
    link.lease = newLease();
    const event: RedisDegradedEvent = {
      type: 'degraded',
      vendor: link.vendor,
      account: link.account,
      time: link.localSince,
      reason,
    };
    if (error !== undefined) event.error = error;
    emit(event);
    // Calls already waiting on Redis need not wait out their own timeouts.
    for (const useLocal of [...link.pending]) useLocal();
    scheduleProbe();
  }

  /** Whether to send this account's call to Redis; a client that is not connected degrades it. */
  function shareable(link: AccountLink): boolean {
    if (!link.shared) return false;
    if (isUsable(redis.status)) return true;
    degrade(link, 'unavailable');
    return false;
  }

  function recover(link: AccountLink): void {
    if (link.shared) return;
    link.shared = true;
    const time = clock.now();
    emit({
      type: 'recovered',
      vendor: link.vendor,
      account: link.account,
      time,
      localMs: time - link.localSince,
    });
    for (const lease of idleRetiredLeases(link)) leaseOp(link, 'drop', lease);
    if (busyLeases(link).length > 0) scheduleRefresh();
  }

  function scheduleProbe(): void {
    if (closed || probeTimer !== undefined) return;
    probeTimer = o.background.setTimeout(() => {
      probeTimer = undefined;
      void probeAll();
    }, o.retryIntervalMs);
  }

  async function probeAll(): Promise<void> {
    const down = [...links.values()].filter((link) => !link.shared);
    if (down.length === 0) return;
    if (isUsable(redis.status)) await Promise.all(down.map(probe));
    if ([...links.values()].some((link) => !link.shared)) scheduleProbe();
  }

  /**
   * One cheap command routed by the account's hash tag (in a Cluster, to its node). Only an answer
   * within `timeoutMs` counts: a Redis that answers, but too slowly, would make the account flap.
   */
  function probe(link: AccountLink): Promise<void> {
    const key = nameOf({ vendor: link.vendor, account: link.account, kind: 'concurrency' });
    return new Promise<void>((resolve) => {
      let late = false;
      const cancel = clock.setTimeout(() => {
        late = true;
        resolve();
      }, o.timeoutMs);
      redis.pttl(key).then(
        () => {
          cancel();
          if (!late) recover(link);
          resolve();
        },
        () => {
          cancel();
          resolve();
        },
      );
    });
  }

  // ---- calls -----------------------------------------------------------------------------

  /**
   * Runs a script with a bounded wait. Whatever happens, exactly one of `answered` (Redis's answer,
   * in time) and `fallback` (the local store) decides, and the promise resolves with it.
   */
  function call<O>(
    link: AccountLink,
    script: LuaScript,
    keys: readonly string[],
    args: readonly string[],
    answered: (output: unknown) => O,
    fallback: () => O,
  ): Promise<O> {
    const promise = new Promise<O>((resolve, reject) => {
      let settled = false;
      let cancel: () => void = () => {};
      const settle = (decide: () => O): void => {
        if (settled) return;
        settled = true;
        cancel();
        link.pending.delete(useLocal);
        try {
          resolve(decide());
        } catch (error) {
          reject(error);
        }
      };
      const useLocal = (): void => settle(fallback);
      cancel = clock.setTimeout(
        () =>
          // Timers run before I/O in Node's event loop: after a stall (GC, a long task) an answer
          // that has already arrived would lose to its own timeout. One turn later it has won.
          afterIo(() => {
            if (settled) return;
            degrade(link, 'timeout');
            useLocal();
          }),
        o.timeoutMs,
      );
      link.pending.add(useLocal);
      runScript(redis, script, keys, args).then(
        (raw) => {
          if (settled) return;
          let output: unknown;
          try {
            output = JSON.parse(String(raw));
          } catch (error) {
            degrade(link, 'error', error);
            useLocal();
            return;
          }
          settle(() => answered(output));
        },
        (error: unknown) => {
          if (settled) return;
          degrade(link, 'error', error);
          useLocal();
        },
      );
    });
    calls.add(promise);
    const done = (): void => void calls.delete(promise);
    promise.then(done, done);
    return promise;
  }

  function args(now: number, config: string, input: unknown): string[] {
    return [String(now), o.serverTime ? '1' : '0', config, toLuaJson(input)];
  }

  // ---- concurrency: slots and leases -----------------------------------------------------

  function concurrency(
    link: AccountLink,
    key: StateKey,
    machine: StateMachine<unknown, ConcurrencyInput, ConcurrencyOutput>,
    config: string,
    input: ConcurrencyInput,
    now: number,
  ): MaybePromise<ConcurrencyOutput> {
    if (link.concurrency?.key !== key || link.concurrency.config !== config)
      link.concurrency = { key, config };
    const keys = concurrencyKeys(nameOf(key));

    const locally = (step: ConcurrencyInput): ConcurrencyOutput => {
      const output = local.apply(key, machine, step, now);
      addSlots(link, LOCAL, output.granted);
      return output;
    };
    const shared = (
      step: ConcurrencyInput,
      from: string,
      otherwise: () => ConcurrencyOutput,
    ): Promise<ConcurrencyOutput> => {
      const lease = link.lease;
      return call(
        link,
        concurrencyScript,
        keys,
        [...args(now, config, step), lease, leaseMs, from, waitingMs],
        (output) => {
          const out = output as ConcurrencyOutput;
          addSlots(link, lease, out.granted);
          if (out.granted > 0) scheduleRefresh();
          // The last slot of an old lease is back: whatever Redis still counts under it, nobody uses.
          if (from !== lease && link.pools.get(from) === 0) leaseOp(link, 'drop', from);
          return out;
        },
        otherwise,
      );
    };

    if (input.op !== 'release')
      return shareable(link) ? shared(input, link.lease, () => locally(input)) : locally(input);

    if (input.keep === true) return keepSlot(link, input, locally, shared);

    // Freed slots go to this client's queue; ask the store in use for them.
    const grantLocally = (): ConcurrencyOutput => locally({ op: 'acquire', want: input.waiting });
    if (!shareable(link)) {
      const from = takeSlot(link);
      // A Redis slot while Redis is away: Redis's count of it goes with its lease (dropped at
      // recovery, or expired); the local record never counted it.
      return from === undefined || from === LOCAL ? locally(input) : grantLocally();
    }
    const from = takeSlot(link);
    if (from !== LOCAL) return shared(input, from ?? link.lease, grantLocally);
    // A slot of the local record, Redis being back: the local record gets it back, and Redis
    // hands out the slots for this client's queue.
    const freed = locally({ ...input, waiting: 0 });
    if (input.waiting <= 0) return freed;
    const want: ConcurrencyInput = { op: 'acquire', want: input.waiting };
    return shared(want, link.lease, grantLocally);
  }

  /**
   * A release whose slot the client passed straight to its next request: the slot stays counted
   * where it was (a lease in Redis, or the fallback), and the store in use hands out the slots for
   * the rest of the queue.
   */
  function keepSlot(
    link: AccountLink,
    input: Extract<ConcurrencyInput, { op: 'release' }>,
    locally: (step: ConcurrencyInput) => ConcurrencyOutput,
    shared: (
      step: ConcurrencyInput,
      from: string,
      otherwise: () => ConcurrencyOutput,
    ) => Promise<ConcurrencyOutput>,
  ): MaybePromise<ConcurrencyOutput> {
    const from = takeSlot(link) ?? link.lease;
    addSlots(link, from, 1);
    const rest: ConcurrencyInput = { op: 'acquire', want: input.waiting - 1 };
    const restLocally = (): ConcurrencyOutput => locally(rest);
    if (from === LOCAL) {
      if (!shareable(link)) return locally(input);
      // Redis is back: the fallback keeps counting this slot (and learns from the outcome), Redis
      // hands out the slots for the rest of the queue.
      const kept = locally({ ...input, waiting: 1 });
      return input.waiting <= 1 ? kept : shared(rest, link.lease, restLocally);
    }
    if (!shareable(link)) return restLocally();
    return shared(input, from, restLocally);
  }

  /** `drop` or `touch` a lease; a failure degrades the account like any call, and nobody waits. */
  function leaseOp(link: AccountLink, op: 'drop' | 'touch', lease: string): void {
    const record = link.concurrency;
    if (record === undefined || !shareable(link)) return;
    const keys = concurrencyKeys(nameOf(record.key));
    void call(
      link,
      concurrencyScript,
      keys,
      [...args(clock.now(), record.config, { op }), link.lease, leaseMs, lease, waitingMs],
      () => {
        if (op === 'drop' && link.pools.get(lease) === 0) link.pools.delete(lease);
      },
      () => {},
    );
  }

  function scheduleRefresh(): void {
    if (closed || refreshTimer !== undefined) return;
    refreshTimer = o.background.setTimeout(
      () => {
        refreshTimer = undefined;
        let busy = false;
        for (const link of links.values()) {
          for (const lease of busyLeases(link)) {
            busy = true;
            if (link.shared) leaseOp(link, 'touch', lease);
          }
        }
        if (busy) scheduleRefresh();
      },
      Math.max(1, Math.floor(o.leaseMs / 3)),
    );
  }

  // ---- the store -------------------------------------------------------------------------

  return {
    apply<S, I, O>(
      key: StateKey,
      machine: StateMachine<S, I, O>,
      input: I,
      now: number,
    ): MaybePromise<O> {
      const config = configOf(machine as StateMachine<unknown, unknown, unknown>);
      const entry = SCRIPTS.get(machine.name);
      if (config === null || entry === undefined) return local.apply(key, machine, input, now);
      const link = linkOf(key);
      if (entry.script === concurrencyScript) {
        return concurrency(
          link,
          key,
          machine as unknown as StateMachine<unknown, ConcurrencyInput, ConcurrencyOutput>,
          config,
          input as ConcurrencyInput,
          now,
        ) as MaybePromise<O>;
      }
      const locally = (): O => local.apply(key, machine, input, now);
      if (!shareable(link)) return locally();
      return call(
        link,
        entry.script,
        [nameOf(key)],
        args(now, config, input),
        (output) => output as O,
        locally,
      );
    },
    async close() {
      closed = true;
      probeTimer?.();
      refreshTimer?.();
      probeTimer = undefined;
      refreshTimer = undefined;
      // Each call settles within `timeoutMs`. The calls under way now, not those a caller still
      // making requests adds meanwhile: close() ends even under traffic.
      await Promise.allSettled([...calls]);
      for (const link of links.values()) {
        // Leases with no slot in use: anything Redis counts under them is left over.
        for (const lease of new Set([link.lease, ...link.pools.keys()]))
          if (lease !== LOCAL && (link.pools.get(lease) ?? 0) <= 0) leaseOp(link, 'drop', lease);
      }
      // The drops, and any a release answered above chained.
      await Promise.allSettled([...calls]);
    },
  };
}
