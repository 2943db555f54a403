// The public API of @triage/testing.
export {
  createManualClock,
  type ManualClock,
  type ManualClockOptions,
} from './clock/manual-clock.ts';
