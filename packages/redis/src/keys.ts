import type { StateKey } from '@triage/core';

/**
 * `%`, `{`, `}` (and `:` in the vendor's name) are percent-encoded, so an account's parts cannot
 * close its hash tag early or run into each other: `co3` + `a:b` and `co3:a` + `b` stay apart.
 */
function percentEncode(part: string, pattern: RegExp): string {
  return part.replace(pattern, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The hash tag of a vendor account: `{co3:https://co3app.com}`. Redis Cluster hashes only what is
 * between the braces, so every record of an account lands in one slot and one script may touch
 * several of them (the concurrency record and its leases).
 */
export function accountTag(vendor: string, account: string): string {
  return `{${percentEncode(vendor, /[%{}:]/g)}:${percentEncode(account, /[%{}]/g)}}`;
}

/** The key of one record: `triage:{co3:https://co3app.com}:concurrency`. */
export function recordKey(prefix: string, key: StateKey): string {
  return `${prefix}:${accountTag(key.vendor, key.account)}:${key.kind}`;
}

/**
 * The keys the concurrency script touches: the record, its leases (a sorted set of lease id →
 * expiry), the slots each lease holds (a hash of lease id → count), the leases waiting for slots
 * (a sorted set of lease id → until when they count as waiting) and the lease waiting with none
 * whose turn is next (a string, expiring).
 */
export function concurrencyKeys(record: string): readonly [string, string, string, string, string] {
  return [record, `${record}:leases`, `${record}:held`, `${record}:waiting`, `${record}:starving`];
}
