import { expect, test } from 'vitest';
import { main } from '../index.ts';

test('axios + SimplyBook: a throttled booking is sent again; a booking with a lost answer is not', async () => {
  const lines: string[] = [];
  const { throttled, lostAnswer } = await main((line) => lines.push(line));

  // HTTP 429: refused, nothing booked, so booked on the second attempt.
  expect(throttled.bookingId).toBe('1001');
  expect(throttled.events.map((e) => `${e.type} ${e.attempt}`)).toEqual([
    'classified 1',
    'retry 1',
    'recovered 2',
  ]);
  expect(throttled.events[0]).toMatchObject({
    classification: { status: 429, category: 'retryable', effect: 'none' },
  });
  expect(throttled.counters).toMatchObject({
    requests: 3, // the login, the refused booking, the booking
    credentialsIssued: 1,
    rejectedByCode: { 'HTTP 429': 1 },
    sideEffects: 1,
  });

  // A reset after SimplyBook booked: the effect is unknown, so the POST is not repeated.
  expect(lostAnswer.error).toEqual({ effect: 'unknown', giveUpReason: 'unsafe', attempts: 1 });
  expect(lostAnswer.events.map((e) => e.type)).toEqual(['classified', 'give-up']);
  expect(lostAnswer.events[0]).toMatchObject({
    classification: { code: 'ECONNRESET', source: 'network', effect: 'unknown' },
  });
  expect(lostAnswer.counters).toMatchObject({
    requests: 1,
    accepted: 1,
    faults: { 'reset-after': 1 },
    sideEffects: 1, // booked once, never twice
  });

  expect(lines).toEqual([
    'book(10:00): SimplyBook is throttling',
    '  attempt 1: HTTP 429 (retryable, effect none)',
    expect.stringMatching(/^ {2}booking again in \d+ ms$/),
    '  booked #1001 for 2026-12-01 10:00:00',
    'book(11:00): the answer is lost on the way back',
    '  attempt 1: ECONNRESET (retryable, effect unknown)',
    '  not sent again (unsafe): find out whether it was booked',
    '  bookings SimplyBook made: 1',
  ]);
});
