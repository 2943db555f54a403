import type { VendorProfile } from '@triage/core';
import type { SimulatedError, VendorName } from '../types.ts';
import type { Reply } from './reply.ts';
import type { SimRequest } from './request.ts';

/** What a vendor model answered, with what the counters need to know about it. */
export interface ModelAnswer {
  readonly reply: Reply;
  /** The vendor code the answer carries; absent for a success or a codeless HTTP error. */
  readonly code?: string;
  /** The call changed the vendor's state: one side effect. */
  readonly write?: boolean;
  /** The answer hands out a session key or token. */
  readonly issued?: boolean;
}

/**
 * One vendor's wire format and behavior. `read` parses a request once; everything else works on
 * what it returned, so a body is never parsed twice.
 */
export interface VendorModel<C> {
  readonly vendor: VendorName;
  readonly profile: VendorProfile;
  /** The URL tests and msw default to (the vendor's production host). */
  readonly defaultBaseUrl: string;
  /** The vendor has a credential endpoint (answers can be queued `on: 'auth'`). */
  readonly authEndpoint: boolean;
  read(request: SimRequest): C;
  /** Which endpoint the request is for; `undefined` is a path the vendor does not serve (404). */
  endpoint(context: C): 'api' | 'auth' | undefined;
  /** The account limits apply to (CO3 api_key, SimplyBook company, VoipNow client, …). */
  account(context: C): string;
  /** Answers a credential request. */
  authenticate(context: C): ModelAnswer;
  /** Serves an admitted API call. */
  serve(context: C): ModelAnswer;
  /** A forced vendor error in the vendor's wire format, fitted to the request. */
  error(error: SimulatedError, context: C): ModelAnswer;
  /** The answer to a call over the concurrency or rate limit. */
  throttled(context: C): ModelAnswer;
  /** Forgets every issued credential. */
  revokeCredentials(): void;
}
