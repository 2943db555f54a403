const TRIAGE_BRAND: unique symbol = Symbol.for('triage.TriageError') as never;

/** The base of every error triage throws. */
export class TriageError extends Error {
  override name: string = 'TriageError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Not enumerable: a brand, not data.
    Object.defineProperty(this, TRIAGE_BRAND, { value: true });
  }
}

/** True for any triage error, across realms and duplicated copies of this package. */
export function isTriageError(value: unknown): value is TriageError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[TRIAGE_BRAND] === true
  );
}
