import { type Classification, type CodeRule, STATUS_RULES } from '@triage/core';
import { describe, expect, it } from 'vitest';
import { CONVIO_CODES, convio } from '../../src/convio/index.ts';
import { loadFixtures } from '../fixture.ts';

const rule = (code: string, variant = 0): CodeRule => {
  const entry = CONVIO_CODES[code]!;
  return Array.isArray(entry) ? entry[variant]! : (entry as CodeRule);
};
const donationMessage = 'Error: There was a problem encountered while processing your donation.';

/** Every recorded Convio response and what it must classify as. */
const expected: Record<string, Classification | undefined> = {
  'bad-method-405': {
    vendor: 'convio',
    category: 'validation',
    code: '405',
    message: 'Bad HTTP method. Requests must be made via the post HTTP method.',
    status: 405,
    fields: [],
    effect: 'none',
    source: 'response',
    reason: rule('405').reason,
  },
  'donation-declined-json': {
    vendor: 'convio',
    category: 'fatal',
    code: '101',
    message: donationMessage,
    status: 200,
    fields: [],
    effect: 'unknown',
    source: 'response',
    reason: rule('101', 1).reason,
  },
  'donation-field-validation-xml': {
    vendor: 'convio',
    category: 'validation',
    code: '101',
    message: donationMessage,
    status: 200,
    fields: [
      { name: 'Credit card number is invalid.' },
      { name: 'Gift amount is invalid.' },
      { name: 'Billing city is required.' },
    ],
    effect: 'none',
    source: 'response',
    reason: rule('101', 0).reason,
  },
  'error-json-200-suppressed-auth-number': {
    vendor: 'convio',
    category: 'auth',
    refreshable: true,
    code: 3,
    message: 'Authentication or authorization failed.',
    status: 200,
    fields: [],
    effect: 'none',
    source: 'response',
    reason: rule('3').reason,
  },
  'error-json-200-suppressed-generic': {
    vendor: 'convio',
    category: 'fatal',
    code: '1',
    message: 'Unable to process request.',
    status: 200,
    fields: [],
    effect: 'unknown',
    source: 'response',
    reason: rule('1').reason,
  },
  'error-json-403-api-key': {
    vendor: 'convio',
    category: 'auth',
    refreshable: false,
    code: '2',
    message:
      'Incorrect API key. Verify that the value of the parameter api_key matches the value of the SDP CONVIO_API_KEY.',
    status: 403,
    fields: [],
    effect: 'none',
    source: 'response',
    reason: rule('2').reason,
  },
  'error-xml-403-trusted-source': {
    vendor: 'convio',
    category: 'auth',
    refreshable: true,
    code: '5',
    message: 'The requested method can only be called from a trusted source.',
    status: 403,
    fields: [],
    effect: 'none',
    source: 'response',
    reason: rule('5').reason,
  },
  'maintenance-503': {
    vendor: 'convio',
    category: 'retryable',
    message: 'HTTP 503',
    status: 503,
    fields: [],
    retryAfterMs: 120_000,
    effect: 'unknown',
    throttle: true,
    source: 'response',
    reason: STATUS_RULES[503]!.reason,
  },
  'redirect-302': {
    vendor: 'convio',
    category: 'fatal',
    code: '302',
    message: 'HTTP 302 redirect: the call may or may not have succeeded',
    status: 302,
    fields: [],
    effect: 'unknown',
    source: 'response',
    reason: rule('302').reason,
  },
  'success-donation-xml': undefined,
  'success-get-user-json': undefined,
};

describe('Convio fixtures', () => {
  const fixtures = loadFixtures('convio');

  it('has an expectation for every fixture, and a fixture for every expectation', () => {
    expect(fixtures.map((f) => f.name).sort()).toStrictEqual(Object.keys(expected).sort());
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', (name, fixture) => {
    const input = { status: fixture.status, headers: fixture.headers, body: fixture.body };
    expect(convio.classify(input)).toStrictEqual(expected[name]);
    const bytes = { ...input, body: new TextEncoder().encode(fixture.body) };
    expect(convio.classify(bytes)).toStrictEqual(expected[name]);
  });

  it('JSON fixtures parsed by the client (axios) classify the same', () => {
    for (const fixture of fixtures) {
      if (!fixture.body.trimStart().startsWith('{')) continue;
      const input = {
        status: fixture.status,
        headers: fixture.headers,
        body: JSON.parse(fixture.body),
      };
      expect(convio.classify(input), fixture.name).toStrictEqual(expected[fixture.name]);
    }
  });
});
