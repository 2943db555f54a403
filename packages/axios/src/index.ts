// The public API of @triage/axios. Importing it also adds `triage` to axios's request config type.
export { attachTriage } from './attach-triage.ts';
