/** The vendors a simulator can speak for: the profiles of `@triage/vendors`. */
export type VendorName = 'simplybook' | 'co3' | 'convio' | 'voipnow' | 'fonedynamics';

/** Which endpoint an injected response is for. */
export type SimulatedEndpoint = 'api' | 'auth';

/** Fields every injected response may carry. */
export interface SimulatedBase {
  /**
   * Which requests take this response: API calls, or the credential endpoint (SimplyBook
   * `/login`, CO3 `/api/authenticate`, VoipNow `/oauth/token.php`). Each endpoint has its own
   * queue, so a token request never uses up an answer meant for an API call.
   * @default 'api'
   */
  on?: SimulatedEndpoint;
  /**
   * Wait this long (real milliseconds) before answering: a slow response.
   * @default 0
   */
  delayMs?: number;
}

/**
 * A vendor error from the vendor's table, in the vendor's own wire format (status, content type,
 * envelope). The request is not served: nothing happens on the vendor's side.
 *
 * @example
 * ```ts
 * simulator.failNext({ code: 8 }); // CO3: <response><error><code>8</code>…
 * simulator.failNext({ code: '-32600', message: 'Company does not exists' }); // SimplyBook
 * simulator.failNext({ code: 101, reason: 'FIELD_VALIDATION' }); // Convio donationResponse
 * ```
 */
export interface SimulatedError extends SimulatedBase {
  /** The vendor's code, as in its table (`8`, `'-32600'`, `'expired_token'`, `'FORBIDDEN'`). */
  code: string | number;
  /** @default the vendor page's message for the code */
  message?: string;
  /** @default the status the vendor sends with the code (see the package README) */
  status?: number;
  /** Convio 101 only: the donation error's `reason`. @default 'CARD_DECLINED' */
  reason?: string;
  /**
   * The field the error is about, where the vendor names one (CO3 field codes, Fone Dynamics
   * `Errors[].FieldName`, Convio `fieldError`).
   */
  field?: string;
}

/** A raw answer, exactly as given. The request is not served. */
export interface SimulatedRaw extends SimulatedBase {
  status: number;
  /** @default '' */
  body?: string;
  /** @default {} (a `content-length` is always added) */
  headers?: Readonly<Record<string, string>>;
}

/**
 * What can go wrong between the vendor and the client:
 *
 * - `reset`: the connection is reset before the request is served (no effect).
 * - `reset-after`: the request is served (a write takes effect), then the connection is reset
 *   with no answer: the outcome is unknown to the client.
 * - `mid-body`: served, then the headers and half the body are sent and the connection reset.
 * - `truncated`: served, and the answer arrives complete but cut in half (broken JSON or XML).
 * - `empty`: served, and the answer is a 200 with an empty body.
 * - `html`: a proxy's HTML error page (nginx style, `status` 502 by default); not served.
 * - `hang`: never answered (until the client gives up or the simulator closes); not served.
 */
export type SimulatedFaultKind =
  | 'reset'
  | 'reset-after'
  | 'mid-body'
  | 'truncated'
  | 'empty'
  | 'html'
  | 'hang';

/** A transport fault or a malformed body. */
export interface SimulatedFault extends SimulatedBase {
  fault: SimulatedFaultKind;
  /** For `html`: the gateway status. @default 502 */
  status?: number;
}

/** Serve the request normally, only after `delayMs`: a slow success. */
export interface SimulatedDelay extends SimulatedBase {
  delayMs: number;
}

/**
 * One scripted answer: a vendor code (`8`, `'expired_token'` is `{ code }`), a vendor error, a
 * raw response, a fault, or a slow normal answer.
 *
 * @example
 * ```ts
 * const script: SimulatedResponse[] = [8, { fault: 'reset' }, { status: 503 }, { delayMs: 200 }];
 * ```
 */
export type SimulatedResponse =
  | string
  | number
  | SimulatedError
  | SimulatedRaw
  | SimulatedFault
  | SimulatedDelay;

/**
 * What a simulator has seen and done. The object is live: read it at any time; it is never
 * replaced, only updated.
 */
export interface SimulatorCounters {
  /** Every request received, any endpoint, faults included. */
  requests: number;
  /**
   * API calls served successfully. A call served and then broken in transit (`reset-after`,
   * `mid-body`, `truncated`, `empty`) counts here too: the vendor did it.
   */
  accepted: number;
  /** Answers that carried a vendor error or an HTTP error status, any endpoint. */
  rejected: number;
  /**
   * `rejected` by the vendor's code as a string (`'8'`, `'-32600'`, `'expired_token'`), or
   * `'HTTP 429'` for an error that carries no vendor code.
   */
  rejectedByCode: Record<string, number>;
  /** Requests refused by the concurrency or rate limit (also in `rejected`). */
  throttled: number;
  /** Injected faults by kind (`reset`, `mid-body`, `truncated`, …). */
  faults: Record<string, number>;
  /** Session keys or tokens handed out by the credential endpoint. */
  credentialsIssued: number;
  /** Successful writes (a booking, a contact, a message, a donation). */
  sideEffects: number;
  /** Successful writes by the request's `Idempotency-Key` header; requests without one are not here. */
  sideEffectsByKey: Record<string, number>;
  /** API calls being served right now (holding a concurrency slot). */
  concurrency: number;
  /** The most API calls served at once since the start (or the last `resetCounters()`). */
  peakConcurrency: number;
  /**
   * Milliseconds of slot time (on the simulator's `clock`): for every API call served, from the
   * moment it got a concurrency slot to the moment it gave it back, added up. Divided by the slots
   * and the time a run took, it is how much of the vendor's capacity the client used; the rest is
   * capacity left idle between calls.
   */
  busyMs: number;
}
