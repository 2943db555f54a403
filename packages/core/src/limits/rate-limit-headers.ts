import type { HeadersLike } from '../types/input.ts';
import type { RateSpec } from '../types/vendor.ts';
import { readHeader } from '../utils/headers.ts';

/** What a response's rate-limit headers say. */
export interface RateLimitInfo {
  /** Request quotas per window: `RateLimit-Policy` (`q` per `w` seconds), or a legacy form. */
  rates: RateSpec[];
  /** A concurrency quota: a policy with `qu="concurrent-requests"`. */
  concurrency?: number;
  /** Nothing is left for this long (`r=0;t=…`, `X-RateLimit-Remaining: 0` with a reset). */
  exhaustedForMs?: number;
}

type Params = Map<string, string>;

/** Splits on `separator` outside double quotes (RFC 9651 strings may hold commas and semicolons). */
function split(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char === '\\' && quoted) {
      current += char + (value[i + 1] ?? '');
      i++;
    } else if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (char === separator && !quoted) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

/**
 * A tolerant reading of an RFC 9651 List: each member's bare item and parameters. Malformed
 * members come out without what could not be read; the draft says to ignore them.
 */
function members(value: string): { item: string; params: Params }[] {
  return split(value, ',').map((member) => {
    const [item = '', ...rest] = split(member, ';');
    const params: Params = new Map();
    for (const param of rest) {
      const at = param.indexOf('=');
      const key = (at === -1 ? param : param.slice(0, at)).trim().toLowerCase();
      const raw = at === -1 ? '?1' : param.slice(at + 1).trim();
      params.set(key, raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
    }
    return { item: item.trim(), params };
  });
}

/** A non-negative integer (RFC 9651 Integer, as the draft requires), else `undefined`. */
function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** Seconds until a reset: delta-seconds, or epoch seconds / ms as some vendors send in `X-` headers. */
function resetMs(value: string | undefined, now: number): number | undefined {
  const n = integer(value);
  if (n === undefined) return undefined;
  if (n > 1e12) return Math.max(0, n - now);
  if (n > 1e9) return Math.max(0, n * 1000 - now);
  return n * 1000;
}

function policies(value: string, info: RateLimitInfo): void {
  for (const { item, params } of members(value)) {
    // draft-ietf-httpapi-ratelimit-headers ≥ 07: `"name";q=100;w=10`; drafts ≤ 06: `100;w=10`.
    const quota = integer(params.get('q')) ?? integer(item);
    const windowSeconds = integer(params.get('w'));
    if (quota === undefined) continue;
    const unit = params.get('qu') ?? 'requests';
    if (unit === 'concurrent-requests') {
      info.concurrency = Math.min(info.concurrency ?? quota, quota);
    } else if (unit === 'requests' && windowSeconds !== undefined && windowSeconds > 0) {
      const spec = { requests: quota, perMs: windowSeconds * 1000 };
      if (!info.rates.some((r) => r.requests === spec.requests && r.perMs === spec.perMs))
        info.rates.push(spec);
    }
  }
}

function exhausted(info: RateLimitInfo, ms: number | undefined): void {
  if (ms !== undefined && ms > 0) info.exhaustedForMs = Math.max(info.exhaustedForMs ?? 0, ms);
}

/**
 * Reads the rate-limit headers of a response (draft-ietf-httpapi-ratelimit-headers):
 *
 * - `RateLimit-Policy: "burst";q=100;w=60` → a quota of 100 requests per 60 s to pace by;
 *   `qu="concurrent-requests"` → a concurrency quota. The legacy `10;w=1` form is read too.
 * - `RateLimit: "burst";r=0;t=12` → nothing left for 12 s. The draft-07 dictionary form
 *   (`remaining=0, reset=12`) and the older `RateLimit-Remaining`/`RateLimit-Reset` and
 *   `X-RateLimit-Remaining`/`X-RateLimit-Reset` pairs are read too (a reset above 10⁹ is an epoch
 *   time, as GitHub and others send).
 *
 * `X-RateLimit-Limit` alone gives no window, so it sets no rate. Returns `undefined` when the
 * response has none of these headers. Never throws.
 */
export function parseRateLimitHeaders(
  headers: HeadersLike | undefined,
  now: number,
): RateLimitInfo | undefined {
  if (headers === undefined) return undefined;
  const policy = readHeader(headers, 'ratelimit-policy');
  const current = readHeader(headers, 'ratelimit');
  const remaining = readHeader(headers, 'ratelimit-remaining');
  const legacyLimit = readHeader(headers, 'ratelimit-limit');
  const xRemaining = readHeader(headers, 'x-ratelimit-remaining');
  if (
    policy === undefined &&
    current === undefined &&
    remaining === undefined &&
    legacyLimit === undefined &&
    xRemaining === undefined
  )
    return undefined;
  const info: RateLimitInfo = { rates: [] };
  if (policy !== undefined) policies(policy, info);
  // Drafts 01-05 appended policies to RateLimit-Limit: `100, 100;w=60`.
  if (legacyLimit !== undefined) policies(legacyLimit.split(',').slice(1).join(','), info);
  if (current !== undefined) {
    for (const { item, params } of members(current)) {
      if (params.has('r')) {
        if (integer(params.get('r')) === 0) exhausted(info, resetMs(params.get('t'), now));
      } else if (/^remaining\s*=\s*0$/i.test(item)) {
        // draft-07 dictionary: `limit=100, remaining=0, reset=30`.
        const reset = /(?:^|,)\s*reset\s*=\s*(\d+)/i.exec(current)?.[1];
        exhausted(info, resetMs(reset, now));
      }
    }
  }
  if (integer(remaining) === 0)
    exhausted(info, resetMs(readHeader(headers, 'ratelimit-reset'), now));
  if (integer(xRemaining) === 0)
    exhausted(info, resetMs(readHeader(headers, 'x-ratelimit-reset'), now));
  return info;
}
