/** What a presented credential is. */
export type CredentialCheck<A> =
  | { readonly state: 'valid'; readonly account: A }
  | { readonly state: 'expired'; readonly account: A }
  | { readonly state: 'unknown' };

/** Issued session keys or tokens, each with an expiry on the simulator's clock. */
export interface CredentialStore<A> {
  /** A new credential for `account`, valid for `lifetimeMs` from now. */
  issue(account: A, lifetimeMs: number): string;
  check(credential: string | undefined): CredentialCheck<A>;
  /** Forgets every credential: they all become unknown (a server-side revocation). */
  revoke(): void;
}

/**
 * Credentials are predictable (`prefix` and a counter): a test can tell them apart, and nothing
 * secret lives in a simulator. Expired ones are kept so they can be told from unknown ones, as
 * CO3 (code 10 versus 6) and VoipNow (`expired_token` versus `access_denied`) do.
 */
export function createCredentialStore<A>(
  prefix: string,
  clock: { now(): number },
): CredentialStore<A> {
  const issued = new Map<string, { account: A; expiresAt: number }>();
  let next = 0;
  return {
    issue(account, lifetimeMs) {
      next += 1;
      const credential = `${prefix}${next.toString(16).padStart(8, '0')}`;
      issued.set(credential, { account, expiresAt: clock.now() + lifetimeMs });
      return credential;
    },
    check(credential) {
      const entry = credential === undefined ? undefined : issued.get(credential);
      if (entry === undefined) return { state: 'unknown' };
      return clock.now() < entry.expiresAt
        ? { state: 'valid', account: entry.account }
        : { state: 'expired', account: entry.account };
    },
    revoke() {
      issued.clear();
    },
  };
}
