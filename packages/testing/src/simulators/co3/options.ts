import type { SimulatorBehaviors } from '../options.ts';

/** A CO3 account and the user that authenticates for it. */
export interface Co3Account {
  apiKey: string;
  username: string;
  /** The password's MD5 in hex, as `/api/authenticate` receives it. */
  passwordMd5: string;
}

/** Options of the CO3 simulator (XML over POST: `/api/authenticate`, `/api/<module>`). */
export interface Co3SimulatorOptions extends SimulatorBehaviors {
  vendor: 'co3';
  /** @default [DEMO_ACCOUNTS.co3] */
  accounts?: readonly Co3Account[];
  /**
   * How long a session key is accepted, on `clock`: "valid for 5 minutes" (CO3 authentication
   * page). Then the API answers code 10.
   * @default 300_000
   */
  sessionLifetimeMs?: number;
}
