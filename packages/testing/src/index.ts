// The public API of @triage/testing.
export {
  createManualClock,
  type ManualClock,
  type ManualClockOptions,
} from './clock/manual-clock.ts';
export type { Co3Account, Co3SimulatorOptions } from './simulators/co3/options.ts';
export type { ConvioAccount, ConvioSimulatorOptions } from './simulators/convio/options.ts';
export { DEMO_ACCOUNTS } from './simulators/demo-accounts.ts';
export type {
  FonedynamicsAccount,
  FonedynamicsSimulatorOptions,
} from './simulators/fonedynamics/options.ts';
export type {
  SimulatedRate,
  SimulatorBehaviors,
  VendorSimulatorOptions,
} from './simulators/options.ts';
export type {
  SimplybookAccount,
  SimplybookSimulatorOptions,
} from './simulators/simplybook/options.ts';
export type { VendorSimulation } from './simulators/simulation.ts';
export type {
  SimulatedBase,
  SimulatedDelay,
  SimulatedEndpoint,
  SimulatedError,
  SimulatedFault,
  SimulatedFaultKind,
  SimulatedRaw,
  SimulatedResponse,
  SimulatorCounters,
  VendorName,
} from './simulators/types.ts';
export type { VoipnowAccount, VoipnowSimulatorOptions } from './simulators/voipnow/options.ts';
