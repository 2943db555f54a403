import type { Effect } from '../types/classification.ts';

interface NetworkRule {
  effect: Effect;
  timeout?: boolean;
  reason: string;
}

/**
 * Failures without a response, by error code (Node's `err.code`, undici's `UND_ERR_*`, axios's
 * codes). All are retryable; the effect says whether the request can have reached the server.
 * `none` only when it provably never left: refused connections and DNS failures.
 */
export const NETWORK_RULES: Readonly<Record<string, NetworkRule>> = {
  ECONNREFUSED: { effect: 'none', reason: 'connection refused: the request never left' },
  ENOTFOUND: { effect: 'none', reason: 'DNS lookup failed: the request never left' },
  EAI_AGAIN: { effect: 'none', reason: 'DNS lookup failed for now: the request never left' },
  UND_ERR_CONNECT_TIMEOUT: {
    effect: 'none',
    timeout: true,
    reason: 'connect timed out: the request never left',
  },
  ECONNRESET: {
    effect: 'unknown',
    reason: 'connection reset: the request may have been processed',
  },
  EPIPE: {
    effect: 'unknown',
    reason: 'broken pipe while sending: the server may have read part of it',
  },
  ETIMEDOUT: {
    effect: 'unknown',
    timeout: true,
    reason: 'timed out: the request may have been processed',
  },
  ECONNABORTED: {
    effect: 'unknown',
    timeout: true,
    reason: 'aborted by a client timeout: the request may have been processed',
  },
  ESOCKETTIMEDOUT: {
    effect: 'unknown',
    timeout: true,
    reason: 'socket timed out: the request may have been processed',
  },
  EHOSTUNREACH: { effect: 'none', reason: 'host unreachable: the connection never opened' },
  ENETUNREACH: { effect: 'none', reason: 'network unreachable: the request never left' },
  UND_ERR_SOCKET: { effect: 'unknown', reason: 'socket closed by the other side' },
  UND_ERR_CLOSED: { effect: 'unknown', reason: 'connection closed' },
  UND_ERR_HEADERS_TIMEOUT: {
    effect: 'unknown',
    timeout: true,
    reason: 'no response headers in time',
  },
  UND_ERR_BODY_TIMEOUT: { effect: 'unknown', timeout: true, reason: 'response body stalled' },
  UND_ERR_RESPONSE_STATUS_CODE: { effect: 'unknown', reason: 'unexpected status' },
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: {
    effect: 'unknown',
    reason: 'request body length mismatch',
  },
  ERR_NETWORK: { effect: 'unknown', reason: 'network error (axios)' },
};

/** What kind of network failure an error is, found on it or on its `cause` chain. */
export interface NetworkFailure {
  code: string;
  message: string;
  rule: NetworkRule;
}

const MAX_CAUSE_DEPTH = 5;

function field(value: unknown, key: string): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function'))
    return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * Walks an error and its causes for a known network code. fetch wraps the socket error as
 * `TypeError('fetch failed', { cause })`; ky and axios wrap it once more.
 */
export function findNetworkFailure(error: unknown): NetworkFailure | undefined {
  let current: unknown = error;
  let fetchFailed: string | undefined;
  let timedOut: string | undefined;
  for (
    let depth = 0;
    depth < MAX_CAUSE_DEPTH && current !== undefined && current !== null;
    depth++
  ) {
    const code = field(current, 'code');
    const message = String(field(current, 'message') ?? '');
    if (typeof code === 'string' && Object.hasOwn(NETWORK_RULES, code)) {
      return { code, message, rule: NETWORK_RULES[code]! };
    }
    const name = field(current, 'name');
    if (name === 'TimeoutError') timedOut ??= message;
    if (
      name === 'TypeError' &&
      /fetch failed|failed to fetch|network ?error|load failed/i.test(message)
    ) {
      fetchFailed ??= message;
    }
    current = field(current, 'cause');
  }
  if (timedOut !== undefined) {
    return {
      code: 'TIMEOUT',
      message: timedOut,
      rule: {
        effect: 'unknown',
        timeout: true,
        reason: 'timed out: the request may have been processed',
      },
    };
  }
  if (fetchFailed !== undefined) {
    return {
      code: 'FETCH_FAILED',
      message: fetchFailed,
      rule: { effect: 'unknown', reason: 'fetch failed: the request may have been sent' },
    };
  }
  return undefined;
}
