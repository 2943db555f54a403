// The README's example, kept compiling and passing: a user's own SimplyBook code.
import { createTriageFetch } from '@triage/fetch';
import { simplybook, simplybookAuth } from '@triage/vendors/simplybook';

export interface Slot {
  eventId: string;
  unitId: string;
  date: string;
  time: string;
}

export interface Booking {
  id: string;
  start_date_time: string;
}

export function createBookingClient(options: { baseUrl: string; company: string; apiKey: string }) {
  const { baseUrl, company, apiKey } = options;
  const fetch = createTriageFetch({
    vendor: simplybook,
    auth: simplybookAuth({ company, apiKey, loginUrl: `${baseUrl}/login` }),
  });
  let id = 0;

  async function call<T>(method: string, params: unknown[]): Promise<T> {
    const res = await fetch(`${baseUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: ++id }),
    });
    return ((await res.json()) as { result: T }).result;
  }

  return {
    async book(slot: Slot, client: { name: string; email: string }): Promise<Booking> {
      const result = await call<{ bookings: Booking[] }>('book', [
        slot.eventId,
        slot.unitId,
        slot.date,
        slot.time,
        client,
      ]);
      const [booking] = result.bookings;
      if (booking === undefined) throw new Error('SimplyBook booked nothing');
      return booking;
    },
  };
}
