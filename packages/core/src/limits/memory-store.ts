import type { StateKey, StateMachine, StateStore } from './state-store.ts';

interface Entry {
  state: unknown;
  machine: string;
  expiresAt: number;
}

/** The in-memory {@link StateStore}: synchronous, one process. */
export interface MemoryStore extends StateStore {
  apply<S, I, O>(key: StateKey, machine: StateMachine<S, I, O>, input: I, now: number): O;
  /** Records held, expired ones not yet swept included. */
  readonly size: number;
  /** Forgets every record. */
  clear(): void;
}

/** Expired records are swept once per this many operations, so idle accounts do not pile up. */
const SWEEP_EVERY = 1024;

/**
 * Creates an in-memory state store. Every engine makes its own unless `limits.store` is given;
 * pass one store to several clients so they share each account's limits.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * const fetchCo3 = createTriageFetch({ vendor: co3, limits: { store } });
 * ```
 */
export function createMemoryStore(): MemoryStore {
  const records = new Map<string, Entry>();
  // Key strings are built once per key object: the engine reuses its key objects per account.
  const names = new WeakMap<StateKey, string>();
  let operations = 0;

  function nameOf(key: StateKey): string {
    let name = names.get(key);
    if (name === undefined) {
      // NUL cannot occur in a vendor name or an origin, so the parts never run together.
      name = `${key.kind}\u0000${key.vendor}\u0000${key.account}`;
      names.set(key, name);
    }
    return name;
  }

  function sweep(now: number): void {
    for (const [name, entry] of records) if (entry.expiresAt <= now) records.delete(name);
  }

  return {
    apply<S, I, O>(key: StateKey, machine: StateMachine<S, I, O>, input: I, now: number): O {
      if (++operations % SWEEP_EVERY === 0) sweep(now);
      const name = nameOf(key);
      const entry = records.get(name);
      const current =
        entry !== undefined && entry.expiresAt > now && entry.machine === machine.name
          ? (entry.state as S)
          : machine.initial(now);
      const { state, output, ttlMs } = machine.step(current, input, now);
      if (entry === undefined) {
        records.set(name, { state, machine: machine.name, expiresAt: now + ttlMs });
      } else {
        entry.state = state;
        entry.machine = machine.name;
        entry.expiresAt = now + ttlMs;
      }
      return output;
    },
    get size() {
      return records.size;
    },
    clear() {
      records.clear();
    },
  };
}
