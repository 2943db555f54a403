/** RFC 9110 §9.2.2: methods whose repetition has the same effect as one request. */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'PUT',
  'DELETE',
  // draft-ietf-httpbis-safe-method-w-body: QUERY is safe and idempotent (axios 1.21 has query()).
  'QUERY',
]);

/**
 * True when repeating the request cannot do more than doing it once: an idempotent method, or an
 * `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header) the server deduplicates on.
 */
export function isIdempotent(method: string, headers?: Headers): boolean {
  if (IDEMPOTENT_METHODS.has(method.toUpperCase())) return true;
  const key = headers?.get('idempotency-key');
  return key !== null && key !== undefined && key.trim() !== '';
}
