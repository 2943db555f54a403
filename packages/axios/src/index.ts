// The public API of @triage/axios. Importing it also adds `triage` to axios's request config type.
export { attachTriage, type TriageAxiosOptions } from './attach-triage.ts';
