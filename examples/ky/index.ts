// triage + ky against a simulated CO3: three contacts saved at once on an account CO3 serves two
// calls at a time (the one refused with code 8 is sent again: CO3 saves nothing on an error), and
// a session key revoked meanwhile (co3Auth authenticates again, once).
import type { EventListener, TriageEvent } from '@triage/core';
import { withTriage } from '@triage/ky';
import { DEMO_ACCOUNTS, type SimulatorCounters } from '@triage/testing';
import { startVendorSimulator } from '@triage/testing/node';
import { co3, co3Auth } from '@triage/vendors/co3';
import ky from 'ky';

/** One saved contact. */
export interface SavedContact {
  name: string;
  contactId: string | undefined;
  /** Every event of its request. */
  events: TriageEvent[];
}

/** What happened, for the example's test. */
export interface KyExampleResult {
  saved: SavedContact[];
  counters: SimulatorCounters;
}

/** Runs the example; returns what happened so the example's test can check it. */
export async function main(log: (line: string) => void = console.log): Promise<KyExampleResult> {
  // This account is served two calls at a time, 200 ms each: a third at once is refused (code 8).
  const sim = await startVendorSimulator({ vendor: 'co3', concurrency: 2, serviceTimeMs: 200 });
  const { apiKey, username, passwordMd5 } = DEMO_ACCOUNTS.co3;
  const api = withTriage(ky.create({ baseUrl: `${sim.url}/api/` }), {
    vendor: co3,
    // triage paces CO3 at its documented 2 requests per second, which would send the third write
    // a second later and never meet code 8. Off here, so that all three leave at once.
    limits: { rate: false },
    // Authenticates before the first call, puts the session key into each command, and
    // authenticates again when CO3 refuses the key (codes 6 and 10).
    auth: co3Auth({ apiKey, username, passwordMd5, url: `${sim.url}/api/authenticate` }),
  });

  async function setContact(name: string): Promise<SavedContact> {
    const events: TriageEvent[] = [];
    const onEvent: EventListener = (event) => {
      events.push(event);
      if (event.type === 'classified') {
        const { code, message } = event.classification;
        log(`  ${name}: attempt ${event.attempt} refused: code ${code}, ${message}`);
      }
      if (event.type === 'limit') log(`  ${name}: triage now sends at most ${event.limit} at once`);
      if (event.type === 'retry') log(`  ${name}: sending again in ${event.delayMs} ms`);
      if (event.type === 'auth-refresh') log(`  ${name}: new session key (${event.outcome})`);
    };
    const xml = await api
      .post('crm', {
        triage: { onEvent },
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: `<?xml version="1.0" encoding="utf-8"?><command><setContact><api_key>${apiKey}</api_key><contact_lastname>${name}</contact_lastname></setContact></command>`,
      })
      .text();
    const contactId = /<contact_id>(\d+)<\/contact_id>/.exec(xml)?.[1];
    log(`  ${name}: saved as contact ${contactId}`);
    return { name, contactId, events };
  }

  try {
    log('setContact() three times at once');
    const saved = await Promise.all(['Kovács', 'Nagy', 'Szabó'].map(setContact));

    log('setContact() after the session key was revoked');
    sim.revokeCredentials();
    saved.push(await setContact('Tóth'));

    return { saved, counters: structuredClone(sim.counters) };
  } finally {
    await sim.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
