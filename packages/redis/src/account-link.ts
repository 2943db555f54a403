import type { StateKey } from '@triage/core';

/** The pool of concurrency slots granted by the local fallback (no lease id is empty). */
export const LOCAL = '';

/** The store's view of one vendor account: where its limits live now, and whose slots it holds. */
export interface AccountLink {
  readonly vendor: string;
  readonly account: string;
  /** `true`: Redis keeps the limits; `false`: the local fallback does, until a probe succeeds. */
  shared: boolean;
  /** When it went local. */
  localSince: number;
  /**
   * The lease new Redis slots are counted under. A new one after each fall back: the old one keeps
   * the slots still in use, and whatever Redis counts beyond them (slots granted by answers that
   * came too late) is dropped with it.
   */
  lease: string;
  /**
   * Slots this store handed out and the engine has not given back, by where they were counted: a
   * lease id (in Redis) or {@link LOCAL}. Slots are interchangeable, so a release takes one from a
   * pool rather than from "its" acquire.
   */
  readonly pools: Map<string, number>;
  /** Fallbacks of the Redis calls under way: run at once when the account goes local. */
  readonly pending: Set<() => void>;
  /** The account's concurrency record and its machine's config, for `drop` and `touch`. */
  concurrency: { key: StateKey; config: string } | undefined;
}

/** Counts `count` slots into `pool`. */
export function addSlots(link: AccountLink, pool: string, count: number): void {
  if (count > 0) link.pools.set(pool, (link.pools.get(pool) ?? 0) + count);
}

/**
 * Takes one slot out of a pool for a release, and says which. It takes from the pool of the
 * store *not* in use first: if the request that ended really held a slot of the store in use,
 * that store counts one slot too many for a while (it admits less), rather than one too few (it
 * would admit more than the vendor takes).
 */
export function takeSlot(link: AccountLink): string | undefined {
  let fallback: string | undefined;
  for (const [pool, count] of link.pools) {
    if (count <= 0) continue;
    const preferred = link.shared ? pool === LOCAL : pool !== LOCAL;
    if (preferred) {
      link.pools.set(pool, count - 1);
      return pool;
    }
    fallback ??= pool;
  }
  if (fallback !== undefined) link.pools.set(fallback, link.pools.get(fallback)! - 1);
  return fallback;
}

/** Leases other than the current one that hold no slot the store knows of: safe to drop. */
export function idleRetiredLeases(link: AccountLink): string[] {
  const idle: string[] = [];
  for (const [pool, count] of link.pools)
    if (pool !== LOCAL && pool !== link.lease && count <= 0) idle.push(pool);
  return idle;
}

/** Leases holding slots in use: the ones to keep refreshing. */
export function busyLeases(link: AccountLink): string[] {
  const busy: string[] = [];
  for (const [pool, count] of link.pools) if (pool !== LOCAL && count > 0) busy.push(pool);
  return busy;
}
