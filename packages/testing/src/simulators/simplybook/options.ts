import type { SimulatorBehaviors } from '../options.ts';

/** A SimplyBook company the simulator knows. */
export interface SimplybookAccount {
  /** The company login: `getToken`'s first parameter and the `X-Company-Login` header. */
  company: string;
  /** The company's API key: `getToken`'s second parameter. */
  apiKey: string;
}

/** Options of the SimplyBook.me simulator (JSON-RPC 2.0: `/login` and the public API at `/`). */
export interface SimplybookSimulatorOptions extends SimulatorBehaviors {
  vendor: 'simplybook';
  /** @default [DEMO_ACCOUNTS.simplybook] */
  accounts?: readonly SimplybookAccount[];
  /**
   * How long a `getToken` token is accepted, on `clock`. SimplyBook documents no lifetime; one
   * hour is what third-party guides report.
   * @default 3_600_000
   */
  tokenLifetimeMs?: number;
}
