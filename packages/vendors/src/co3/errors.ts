import { isTriageError, TriageError } from '@triage/core';

const CO3_AUTH_BRAND: unique symbol = Symbol.for('triage.Co3AuthError') as never;

/** What went wrong while getting or applying a CO3 session key. Never holds a credential. */
export class Co3AuthError extends TriageError {
  override name: string = 'Co3AuthError';
  /** CO3's error code (`'7'`: authentication error), when CO3 answered with one. */
  readonly code: string | undefined;
  /** The HTTP status of the authenticate response, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, options?: { code?: string; status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code;
    this.status = options?.status;
    Object.defineProperty(this, CO3_AUTH_BRAND, { value: true });
  }
}

/** True for a {@link Co3AuthError}, across realms and duplicated copies of this package. */
export function isCo3AuthError(value: unknown): value is Co3AuthError {
  return (
    isTriageError(value) && (value as unknown as Record<symbol, unknown>)[CO3_AUTH_BRAND] === true
  );
}
