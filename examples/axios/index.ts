// triage + axios against a simulated SimplyBook: a booking throttled once and sent again, and a
// booking whose answer is lost on the way back: it may have been made, so it is never sent again.
import { attachTriage } from '@triage/axios';
import { type Effect, type GiveUpReason, isVendorError, type TriageEvent } from '@triage/core';
import { DEMO_ACCOUNTS, type SimulatorCounters } from '@triage/testing';
import { startVendorSimulator } from '@triage/testing/node';
import { simplybook, simplybookAuth } from '@triage/vendors/simplybook';
import axios from 'axios';

/** What one booking came to, with the simulator's counters for it alone. */
export interface Step {
  events: TriageEvent[];
  counters: SimulatorCounters;
  /** The booking made, when the call succeeded. */
  bookingId?: string;
  /** How the call failed, when it did. */
  error?: { effect: Effect; giveUpReason: GiveUpReason | undefined; attempts: number };
}

/** What happened, for the example's test. */
export interface AxiosExampleResult {
  throttled: Step;
  lostAnswer: Step;
}

interface Booking {
  id: string;
  start_date_time: string;
}

/** Runs the example; returns what happened so the example's test can check it. */
export async function main(log: (line: string) => void = console.log): Promise<AxiosExampleResult> {
  const sim = await startVendorSimulator({ vendor: 'simplybook' });
  const api = axios.create({ baseURL: sim.url });
  const events: TriageEvent[] = [];
  attachTriage(api, {
    vendor: simplybook,
    // Logs in for a token, sends it in X-Token with X-Company-Login, and logs in again when
    // SimplyBook refuses it.
    auth: simplybookAuth({ ...DEMO_ACCOUNTS.simplybook, loginUrl: `${sim.url}/login` }),
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'classified') {
        const { code, status, category, effect } = event.classification;
        log(
          `  attempt ${event.attempt}: ${code ?? `HTTP ${status}`} (${category}, effect ${effect})`,
        );
      }
      if (event.type === 'retry') log(`  booking again in ${event.delayMs} ms`);
    },
  });

  const ann = { name: 'Ann Lee', email: 'ann@example.com' };
  let id = 0;
  // A JSON-RPC 2.0 call: book(eventId, unitId, date, time, client).
  async function book(time: string): Promise<Booking | undefined> {
    const { data } = await api.post('/', {
      jsonrpc: '2.0',
      method: 'book',
      params: ['1', '1', '2026-12-01', time, ann],
      id: ++id,
    });
    return (data as { result: { bookings: Booking[] } }).result.bookings[0];
  }

  try {
    log('book(10:00): SimplyBook is throttling');
    sim.failNext({ status: 429 });
    const booking = await book('10:00');
    log(`  booked #${booking?.id} for ${booking?.start_date_time}`);
    const throttled: Step = {
      bookingId: booking?.id,
      events: events.splice(0),
      counters: structuredClone(sim.counters),
    };

    log('book(11:00): the answer is lost on the way back');
    sim.resetCounters(); // count this booking alone
    sim.failNext({ fault: 'reset-after' }); // SimplyBook books, then the connection breaks
    let lostAnswer: Step;
    try {
      await book('11:00');
      throw new Error('the simulator was told to lose the answer');
    } catch (error) {
      if (!isVendorError(error)) throw error;
      // Booking again could book Ann twice: look the booking up (reconcile) instead.
      log(`  not sent again (${error.giveUpReason}): find out whether it was booked`);
      log(`  bookings SimplyBook made: ${sim.counters.sideEffects}`);
      const { effect, giveUpReason, attempts } = error;
      lostAnswer = {
        error: { effect, giveUpReason, attempts },
        events: events.splice(0),
        counters: structuredClone(sim.counters),
      };
    }

    return { throttled, lostAnswer };
  } finally {
    await sim.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
