import type { SimulatorBehaviors } from '../options.ts';

/** A Fone Dynamics account: HTTP Basic `AccountSid:Token`, and the properties it owns. */
export interface FonedynamicsAccount {
  accountSid: string;
  token: string;
  /** @default [DEMO_ACCOUNTS.fonedynamics.propertySid] */
  properties?: readonly string[];
}

/** Options of the Fone Dynamics simulator (REST JSON v2 at `/v2/…`). */
export interface FonedynamicsSimulatorOptions extends SimulatorBehaviors {
  vendor: 'fonedynamics';
  /** @default [DEMO_ACCOUNTS.fonedynamics] */
  accounts?: readonly FonedynamicsAccount[];
}
