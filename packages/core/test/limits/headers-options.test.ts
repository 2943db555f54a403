import {
  DEFAULT_LIMITS,
  defineVendor,
  hasThrottleCodes,
  http,
  isBreakerFailure,
  normalizeLimits,
  parseRateLimitHeaders,
} from '@triage/core';
import { describe, expect, test } from 'vitest';

const now = Date.parse('2026-11-22T10:00:00Z');
const parse = (headers: Record<string, string>) => parseRateLimitHeaders(headers, now);

describe('parseRateLimitHeaders (draft-ietf-httpapi-ratelimit-headers)', () => {
  test('RateLimit-Policy: quotas per window, several policies, partition keys and units', () => {
    expect(parse({ 'RateLimit-Policy': '"burst";q=100;w=60,"daily";q=1000;w=86400' })).toEqual({
      rates: [
        { requests: 100, perMs: 60_000 },
        { requests: 1000, perMs: 86_400_000 },
      ],
    });
    expect(parse({ 'ratelimit-policy': '"peruser";q=100;w=60;pk=:cHsdsRa894==:' })).toEqual({
      rates: [{ requests: 100, perMs: 60_000 }],
    });
    // Bytes are not requests; a quota without a window cannot be paced.
    expect(
      parse({ 'ratelimit-policy': '"bytes";q=65535;qu="content-bytes";w=10, "trial";q=5' }),
    ).toEqual({ rates: [] });
    expect(parse({ 'ratelimit-policy': '"conc";q=4;qu="concurrent-requests"' })).toEqual({
      rates: [],
      concurrency: 4,
    });
  });

  test('legacy forms: `10;w=1` policies and policies appended to RateLimit-Limit', () => {
    expect(parse({ 'ratelimit-policy': '10;w=1, 50;w=60, 10;w=1' })).toEqual({
      rates: [
        { requests: 10, perMs: 1000 },
        { requests: 50, perMs: 60_000 },
      ],
    });
    expect(parse({ 'ratelimit-limit': '100, 100;w=60' })).toEqual({
      rates: [{ requests: 100, perMs: 60_000 }],
    });
    expect(parse({ 'ratelimit-limit': '100' })).toEqual({ rates: [] });
  });

  test('RateLimit: nothing left for t seconds; quoted names may hold commas', () => {
    expect(parse({ RateLimit: '"default";r=0;t=12' })).toEqual({
      rates: [],
      exhaustedForMs: 12_000,
    });
    expect(parse({ ratelimit: '"a,b";r=0;t=3, "c";r=5;t=60' })).toEqual({
      rates: [],
      exhaustedForMs: 3000,
    });
    expect(parse({ ratelimit: '"default";r=50;t=30' })).toEqual({ rates: [] });
    expect(parse({ ratelimit: '"default";r=0' })).toEqual({ rates: [] });
    // draft-07's dictionary.
    expect(parse({ ratelimit: 'limit=100, remaining=0, reset=30' })).toEqual({
      rates: [],
      exhaustedForMs: 30_000,
    });
  });

  test('RateLimit-Remaining/Reset and X-RateLimit-*: delta seconds, epoch seconds, epoch ms', () => {
    expect(parse({ 'ratelimit-remaining': '0', 'ratelimit-reset': '7' })).toEqual({
      rates: [],
      exhaustedForMs: 7000,
    });
    const epoch = String(now / 1000 + 20);
    expect(parse({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epoch })).toEqual({
      rates: [],
      exhaustedForMs: 20_000,
    });
    expect(
      parse({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now + 1500) }),
    ).toEqual({
      rates: [],
      exhaustedForMs: 1500,
    });
    expect(parse({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '9' })).toEqual({
      rates: [],
    });
    expect(parse({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': 'soon' })).toEqual({
      rates: [],
    });
  });

  test('no rate-limit header, malformed values, no headers: nothing', () => {
    expect(parse({ 'content-type': 'text/xml' })).toBeUndefined();
    expect(parseRateLimitHeaders(undefined, now)).toBeUndefined();
    expect(parse({ 'ratelimit-policy': '"x";q=-1;w=1, "y";q=1.5;w=1, ;;, "z";w=1' })).toEqual({
      rates: [],
    });
    expect(parseRateLimitHeaders(new Headers({ 'RateLimit-Policy': '2;w=1' }), now)).toEqual({
      rates: [{ requests: 2, perMs: 1000 }],
    });
  });
});

describe('normalizeLimits', () => {
  const throttling = defineVendor({
    name: 'acme',
    codes: {
      BUSY: [
        { category: 'retryable', reason: 'quota', when: (d) => d.subcode === 'Q' },
        { category: 'retryable', throttle: true, reason: 'busy' },
      ],
    },
    rate: { requests: 2, perMs: 1000 },
  });

  test('defaults: adaptive for a vendor with throttle codes, its rate, budget and breaker', () => {
    const n = normalizeLimits(throttling, undefined);
    expect(n).toMatchObject({
      vendor: 'acme',
      account: undefined,
      concurrency: { adaptive: true, initial: 10, min: 1, max: 1000, probeIntervalMs: 10_000 },
      pace: { rates: [{ requests: 2, perMs: 1000 }], margin: 0.05, ttlMs: 600_000 },
      headers: true,
      learnRates: true,
      maxHoldMs: 60_000,
      budget: { capacity: 500, retryCost: 5, timeoutCost: 10, successRefill: 1 },
      breaker: { windowMs: 10_000, minimumRequests: 20, failureRatio: 0.5, openMs: 10_000 },
      pollMs: 50,
    });
    expect(n?.breaker?.isFailure).toBe(isBreakerFailure);
    expect(hasThrottleCodes(throttling)).toBe(true);
  });

  test('a vendor without throttle codes or rate: no concurrency limit, no pacing', () => {
    expect(hasThrottleCodes(http)).toBe(false);
    expect(normalizeLimits(http, {})).toMatchObject({
      concurrency: undefined,
      pace: { rates: [] },
    });
  });

  test('shorthands and overrides expand here and nowhere else', () => {
    expect(normalizeLimits(http, { concurrency: 3 })?.concurrency).toEqual({
      adaptive: false,
      initial: 3,
      min: 1,
      max: 3,
      probeIntervalMs: 0,
      latencyTolerance: 1,
      ttlMs: 600_000,
    });
    expect(
      normalizeLimits(http, { concurrency: 'adaptive', adaptive: { initial: 50, max: 20 } })
        ?.concurrency,
    ).toMatchObject({ initial: 20, max: 20 });
    const off = normalizeLimits(throttling, {
      concurrency: false,
      rate: false,
      budget: false,
      breaker: false,
    });
    expect(off).toMatchObject({
      concurrency: undefined,
      pace: { rates: [] },
      learnRates: false,
      budget: undefined,
      breaker: undefined,
    });
    expect(normalizeLimits(throttling, false)).toBeUndefined();
    expect(
      normalizeLimits(http, { rate: { requests: 5, perMs: 100 }, account: 'tenant-1' }),
    ).toMatchObject({
      account: 'tenant-1',
      pace: { rates: [{ requests: 5, perMs: 100 }] },
    });
  });

  test('nonsense values fall back to the defaults', () => {
    const n = normalizeLimits(http, {
      concurrency: 0,
      rate: { requests: 0, perMs: 1000 },
      rateMargin: -1,
      adaptive: { min: 0, initial: Number.NaN, latencyTolerance: 0.5 },
      budget: { capacity: -5 },
      breaker: { failureRatio: 7, openMs: 500, maxOpenMs: 100, windowMs: 0 },
      pollMs: 0,
      stateTtlMs: -1,
    });
    expect(n).toMatchObject({
      concurrency: undefined,
      pace: { rates: [], margin: DEFAULT_LIMITS.rateMargin, ttlMs: DEFAULT_LIMITS.stateTtlMs },
      budget: { capacity: 500 },
      breaker: { failureRatio: 1, openMs: 500, maxOpenMs: 500, windowMs: 10_000 },
      pollMs: 50,
    });
    const a = normalizeLimits(http, {
      concurrency: 'adaptive',
      adaptive: { min: 0, initial: Number.NaN, latencyTolerance: 0.5 },
    });
    expect(a?.concurrency).toMatchObject({ min: 1, initial: 10, latencyTolerance: 2 });
  });
});
