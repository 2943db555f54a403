import { expect, test } from 'vitest';
import { main } from '../index.ts';

test('fetch + Convio: a read is retried after a 502; a refused card number is not', async () => {
  const lines: string[] = [];
  const { user, donation, events, counters } = await main((line) => lines.push(line));

  // getUser: a 502 on the first attempt, idempotent by declaration, so sent again.
  expect(user).toMatchObject({ cons_id: '1001', primary_email: 'eva@example.org' });
  // donate: FIELD_VALIDATION is a validation error: one attempt, the field at once.
  expect(donation).toEqual({
    category: 'validation',
    code: '101',
    attempts: 1,
    fields: [{ name: 'Credit card number: please enter a valid card number.' }],
  });
  expect(events.map((e) => `${e.type} ${e.attempt}`)).toEqual([
    'classified 1',
    'retry 1',
    'recovered 2',
    'classified 1',
    'give-up 1',
  ]);
  expect(events.at(-1)).toMatchObject({ type: 'give-up', reason: 'not-retryable' });

  // create, getUser twice, donate; only the constituent was written.
  expect(counters).toMatchObject({
    requests: 4,
    accepted: 2,
    rejectedByCode: { 'HTTP 502': 1, '101': 1 },
    faults: { html: 1 },
    sideEffects: 1,
  });
  expect(lines).toEqual([
    'getUser(eva@example.org): a proxy in front of Convio answers 502',
    '  attempt 1: HTTP 502 (retryable, effect unknown)',
    expect.stringMatching(/^ {2}retrying in \d+ ms$/),
    '  found Eva, constituent 1001',
    'donate(): the card number is incomplete',
    '  attempt 1: 101 (validation, effect none)',
    '  show the donor: Credit card number: please enter a valid card number.',
  ]);
});
