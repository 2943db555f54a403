// The public API of @triage/fetch.
export {
  createTriageFetch,
  type TriageFetch,
  type TriageFetchOptions,
  type TriageRequestInit,
} from './create-triage-fetch.ts';
