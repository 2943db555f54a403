import { isVendorError } from '@triage/core';
import { DEMO_ACCOUNTS } from '@triage/testing';
import { startVendorSimulator, type VendorSimulator } from '@triage/testing/node';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createBookingClient } from './example/booking.ts';

// The README's example, as written there.

let simplybook: VendorSimulator;
beforeEach(async () => {
  simplybook = await startVendorSimulator({ vendor: 'simplybook' });
});
afterEach(() => simplybook.close());

const slot = { eventId: '1', unitId: '1', date: '2025-06-02', time: '10:00' };
const ann = { name: 'Ann Lee', email: 'ann@example.com' };

test('books after a throttled answer', async () => {
  simplybook.failNext({ status: 429 });
  const client = createBookingClient({ baseUrl: simplybook.url, ...DEMO_ACCOUNTS.simplybook });

  const booking = await client.book(slot, ann);

  expect(booking.start_date_time).toBe('2025-06-02 10:00:00');
  expect(simplybook.counters.rejectedByCode).toEqual({ 'HTTP 429': 1 });
  expect(simplybook.counters.sideEffects).toBe(1);
});

test('never books twice when the outcome is unknown', async () => {
  simplybook.failNext({ fault: 'reset-after' }); // booked, but the answer is lost
  const client = createBookingClient({ baseUrl: simplybook.url, ...DEMO_ACCOUNTS.simplybook });

  const error = await client.book(slot, ann).catch((e: unknown) => e);

  expect(isVendorError(error) && error.effect).toBe('unknown'); // not retried: reconcile instead
  expect(simplybook.counters.sideEffects).toBe(1);
});
