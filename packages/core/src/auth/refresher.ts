import type { AuthHooks } from './auth-hooks.ts';

/** What one caller's refresh request came to. */
export type RefreshOutcome = 'refreshed' | 'joined' | 'reused';

/**
 * Single-flight credential refresh. Every attempt notes the credential generation it was sent
 * with; a failure from an older generation is retried with the newer credentials instead of
 * refreshing again, so ten concurrent 401s cause one `refresh()`, even when they arrive after it
 * finished.
 */
export class CredentialRefresher {
  #generation = 0;
  #inflight: Promise<void> | undefined;
  readonly #hooks: AuthHooks;

  constructor(hooks: AuthHooks) {
    this.#hooks = hooks;
  }

  /** The generation to note on an attempt when its credentials are applied. */
  get generation(): number {
    return this.#generation;
  }

  /** Refreshes unless credentials newer than `seen` exist or a refresh is under way. */
  async refresh(seen: number): Promise<RefreshOutcome> {
    if (this.#generation > seen) return 'reused';
    if (this.#inflight !== undefined) {
      await this.#inflight;
      return 'joined';
    }
    const flight = (async () => {
      await this.#hooks.refresh();
      this.#generation++;
    })();
    this.#inflight = flight;
    try {
      await flight;
    } finally {
      if (this.#inflight === flight) this.#inflight = undefined;
    }
    return 'refreshed';
  }
}
