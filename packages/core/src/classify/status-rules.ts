import type { CodeRule } from '../types/vendor.ts';

type StatusRule = Omit<CodeRule, 'when'>;

/**
 * The generic HTTP profile's table: status → meaning, for any API. Statuses not listed fall to
 * {@link ruleForStatus}'s ranges (other 4xx validation, other 5xx fatal).
 */
export const STATUS_RULES: Readonly<Record<number, StatusRule>> = {
  401: {
    category: 'auth',
    refreshable: true,
    effect: 'none',
    reason: 'RFC 9110 §15.5.2: credentials missing or expired',
  },
  403: {
    category: 'auth',
    refreshable: false,
    effect: 'none',
    reason: 'RFC 9110 §15.5.4: understood and refused',
  },
  408: {
    category: 'retryable',
    effect: 'none',
    reason: 'RFC 9110 §15.5.9: the server gave up waiting for the request',
  },
  425: {
    category: 'retryable',
    effect: 'none',
    reason: 'RFC 8470 §5.2: replayed early data refused; retry after the handshake',
  },
  429: {
    category: 'retryable',
    effect: 'none',
    throttle: true,
    reason: 'RFC 6585 §4: rate limited; the request was refused',
  },
  500: {
    category: 'retryable',
    effect: 'unknown',
    reason: 'RFC 9110 §15.6.1: server error; it may have acted',
  },
  502: {
    category: 'retryable',
    effect: 'unknown',
    reason: 'RFC 9110 §15.6.3: bad gateway; the upstream may have acted',
  },
  503: {
    category: 'retryable',
    effect: 'unknown',
    throttle: true,
    reason: 'RFC 9110 §15.6.4: overloaded or down',
  },
  504: {
    category: 'retryable',
    effect: 'unknown',
    reason: 'RFC 9110 §15.6.5: gateway timeout; the upstream may have acted',
  },
};

const CLIENT_ERROR: StatusRule = {
  category: 'validation',
  effect: 'none',
  reason: 'HTTP 4xx: the request was refused as sent',
};
const SERVER_ERROR: StatusRule = {
  category: 'fatal',
  effect: 'unknown',
  reason: 'HTTP 5xx: server error not known to be transient',
};

/** The rule for a status, or `undefined` for 1xx–3xx (not an error) and nonsense statuses. */
export function ruleForStatus(
  status: number,
  table: Readonly<Record<number, StatusRule>> = STATUS_RULES,
): StatusRule | undefined {
  const exact = table[status];
  if (exact !== undefined) return exact;
  if (status >= 400 && status <= 499) return CLIENT_ERROR;
  if (status >= 500 && status <= 599) return SERVER_ERROR;
  return undefined;
}
