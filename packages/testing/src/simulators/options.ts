import type { Co3SimulatorOptions } from './co3/options.ts';
import type { ConvioSimulatorOptions } from './convio/options.ts';
import type { FonedynamicsSimulatorOptions } from './fonedynamics/options.ts';
import type { SimplybookSimulatorOptions } from './simplybook/options.ts';
import type { SimulatedResponse } from './types.ts';
import type { VoipnowSimulatorOptions } from './voipnow/options.ts';

/** A documented request rate: at most `requests` in any `perMs` window. */
export interface SimulatedRate {
  requests: number;
  /** @default 1000 */
  perMs?: number;
}

/** The behaviors every vendor simulator has. */
export interface SimulatorBehaviors {
  /**
   * Time for credential expiry and rate windows. Inject `createManualClock()` to expire session
   * keys and tokens without waiting. Service time and delays always use real timers: they hold
   * real connections.
   * @default { now: Date.now }
   */
  clock?: { now(): number };
  /**
   * How long serving one API call takes, in real milliseconds. While served, a call holds one of
   * its account's concurrency slots.
   * @default 0
   * @example serviceTimeMs: 20
   */
  serviceTimeMs?: number;
  /**
   * At most this many API calls served at once per account; one more is refused at once with the
   * vendor's throttling answer (CO3 code 8 with HTTP 429; HTTP 429 for the others).
   * @default Infinity
   * @example concurrency: 4
   */
  concurrency?: number;
  /**
   * At most this many API calls accepted per account in any window of `perMs` (a sliding
   * window on `clock`); one more is refused like an over-concurrency call. A number is
   * `{ requests: n, perMs: 1000 }`. Refused calls do not count toward the window.
   * @default undefined (no limit)
   * @example rate: 100 // 100 requests per second per account
   */
  rate?: number | SimulatedRate;
  /**
   * Scripted mode: answer the first API calls with these, in order, then serve normally. Give
   * an entry `on: 'auth'` to script the credential endpoint instead.
   * @default []
   * @example script: [{ code: 8 }, { code: 8 }, { fault: 'reset' }]
   */
  script?: readonly SimulatedResponse[];
}

/** Options of a vendor simulator: `vendor` picks the vendor and its account options. */
export type VendorSimulatorOptions =
  | SimplybookSimulatorOptions
  | Co3SimulatorOptions
  | ConvioSimulatorOptions
  | VoipnowSimulatorOptions
  | FonedynamicsSimulatorOptions;
