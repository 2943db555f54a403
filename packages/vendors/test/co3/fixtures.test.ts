import { type Classification, STATUS_RULES } from '@triage/core';
import { describe, expect, it } from 'vitest';
import { CO3_CODES, co3 } from '../../src/co3/index.ts';
import { loadFixtures } from '../fixture.ts';

const reason = (code: string): string => CO3_CODES[code]!.reason;

/** Every recorded CO3 response and what it must classify as. */
const expected: Record<string, Classification | undefined> = {
  'error-10-session-expired': {
    vendor: 'co3',
    category: 'auth',
    refreshable: true,
    code: '10',
    message: 'Your session key is expired. Please authenticate again!',
    status: 200,
    fields: [],
    effect: 'none',
    source: 'response',
    reason: reason('10'),
  },
  'error-15-field-must-not-be-0': {
    vendor: 'co3',
    category: 'validation',
    code: '15',
    message: 'The following field must not be 0: product_price',
    status: 400,
    fields: [
      {
        name: 'product_price',
        message: 'The following field must not be 0: product_price',
        code: '15',
      },
    ],
    effect: 'none',
    source: 'response',
    reason: reason('15'),
  },
  'error-202-database': {
    vendor: 'co3',
    category: 'retryable',
    code: '202',
    message: 'Database query error',
    status: 500,
    fields: [],
    effect: 'none',
    retry: { retries: 2 },
    source: 'response',
    reason: reason('202'),
  },
  'error-309-invoice-already-paid': {
    vendor: 'co3',
    category: 'validation',
    code: '309',
    message: 'The following invoice has already paid: 2025/000123',
    status: 200,
    fields: [],
    effect: 'none',
    source: 'response',
    reason: reason('309'),
  },
  'error-6-invalid-session-key': {
    vendor: 'co3',
    category: 'auth',
    refreshable: true,
    code: '6',
    message: 'Invalid session key',
    status: 200,
    fields: [],
    effect: 'none',
    source: 'response',
    reason: reason('6'),
  },
  'error-7-authentication-hu': {
    vendor: 'co3',
    category: 'auth',
    refreshable: false,
    code: '7',
    message: 'Azonosítási hiba',
    status: 200,
    fields: [],
    effect: 'none',
    source: 'response',
    reason: reason('7'),
  },
  'error-8-too-many-requests': {
    vendor: 'co3',
    category: 'retryable',
    code: '8',
    message: 'Too many requests in the same time. Please try later!',
    status: 429,
    fields: [],
    effect: 'none',
    throttle: true,
    retry: { minDelayMs: 1000 },
    source: 'response',
    reason: reason('8'),
  },
  'nginx-502': {
    vendor: 'co3',
    category: 'retryable',
    message: 'HTTP 502',
    status: 502,
    fields: [],
    effect: 'unknown',
    source: 'response',
    reason: STATUS_RULES[502]!.reason,
  },
  'success-get-contact': undefined,
  'success-set-with-errors-element': undefined,
  'truncated-error': {
    vendor: 'co3',
    category: 'retryable',
    message: 'HTTP 503',
    status: 503,
    fields: [],
    effect: 'unknown',
    throttle: true,
    source: 'response',
    reason: STATUS_RULES[503]!.reason,
  },
};

describe('CO3 fixtures', () => {
  const fixtures = loadFixtures('co3');

  it('has an expectation for every fixture, and a fixture for every expectation', () => {
    expect(fixtures.map((f) => f.name).sort()).toStrictEqual(Object.keys(expected).sort());
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', (name, fixture) => {
    const input = { status: fixture.status, headers: fixture.headers, body: fixture.body };
    expect(co3.classify(input)).toStrictEqual(expected[name]);
    // The same bytes as a client that hands over an ArrayBuffer view would.
    const bytes = { ...input, body: new TextEncoder().encode(fixture.body) };
    expect(co3.classify(bytes)).toStrictEqual(expected[name]);
  });
});
