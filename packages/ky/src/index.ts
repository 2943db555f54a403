// The public API of @triage/ky.
export { type TriageKyOptions, withTriage } from './with-triage.ts';
