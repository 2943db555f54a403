import type { SimulatorBehaviors } from '../options.ts';

/** A Convio / Luminate Online site's API key. */
export interface ConvioAccount {
  apiKey: string;
}

/** Options of the Convio simulator (`/site/CRConsAPI`, `/site/CRDonationAPI`, form POSTs). */
export interface ConvioSimulatorOptions extends SimulatorBehaviors {
  vendor: 'convio';
  /** @default [DEMO_ACCOUNTS.convio] */
  accounts?: readonly ConvioAccount[];
}
