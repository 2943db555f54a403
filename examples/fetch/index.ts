// triage + fetch against a simulated Convio (Luminate Online): a read that meets a proxy's 502 and
// is sent again, and a donation whose card number is refused: no retry, the field errors at once.
import { type Category, type FieldError, isVendorError, type TriageEvent } from '@triage/core';
import { createTriageFetch, type TriageRequestInit } from '@triage/fetch';
import { DEMO_ACCOUNTS, type SimulatorCounters } from '@triage/testing';
import { startVendorSimulator } from '@triage/testing/node';
import { convio } from '@triage/vendors/convio';

/** What happened, for the example's test. */
export interface FetchExampleResult {
  /** What `getUser` answered after the retry. */
  user: { cons_id: string; primary_email: string; name: { first: string; last: string } };
  /** How `donate` failed (undefined: it did not). */
  donation:
    | {
        category: Category;
        code: string | number | undefined;
        attempts: number;
        fields: FieldError[];
      }
    | undefined;
  events: TriageEvent[];
  counters: SimulatorCounters;
}

/** Runs the example; returns what happened so the example's test can check it. */
export async function main(log: (line: string) => void = console.log): Promise<FetchExampleResult> {
  const sim = await startVendorSimulator({ vendor: 'convio' });
  const events: TriageEvent[] = [];
  const fetch = createTriageFetch({
    vendor: convio,
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'classified') {
        const { code, status, category, effect } = event.classification;
        log(
          `  attempt ${event.attempt}: ${code ?? `HTTP ${status}`} (${category}, effect ${effect})`,
        );
      }
      if (event.type === 'retry') log(`  retrying in ${event.delayMs} ms`);
    },
  });

  // Every Convio call is a form POST with the site's API key; JSON comes back as text/plain.
  async function call(
    servlet: 'CRConsAPI' | 'CRDonationAPI',
    params: Record<string, string>,
    triage?: TriageRequestInit['triage'],
  ): Promise<Record<string, unknown>> {
    const body = new URLSearchParams({
      api_key: DEMO_ACCOUNTS.convio.apiKey,
      v: '1.0',
      response_format: 'json',
      ...params,
    });
    const res = await fetch(`${sim.url}/site/${servlet}`, { method: 'POST', body, triage });
    return (await res.json()) as Record<string, unknown>;
  }

  try {
    // Someone to look up.
    await call('CRConsAPI', {
      method: 'create',
      primary_email: 'eva@example.org',
      'name.first': 'Eva',
    });

    log('getUser(eva@example.org): a proxy in front of Convio answers 502');
    sim.failNext({ fault: 'html', status: 502 });
    // A 502 may hide a request that took effect, so triage repeats only idempotent requests.
    // Convio calls are all POSTs: say that this one is a read.
    const answer = await call(
      'CRConsAPI',
      { method: 'getUser', primary_email: 'eva@example.org' },
      { idempotent: true },
    );
    const user = answer.getConsResponse as FetchExampleResult['user'];
    log(`  found ${user.name.first}, constituent ${user.cons_id}`);

    log('donate(): the card number is incomplete');
    let donation: FetchExampleResult['donation'];
    try {
      await call('CRDonationAPI', {
        method: 'donate',
        form_id: '1010',
        level_id: '1021',
        other_amount: '25',
        card_number: '4111',
      });
    } catch (error) {
      if (!isVendorError(error)) throw error;
      // Validation: the same form fails again, so it is not retried; show the fields instead.
      const { category, code, attempts, fields } = error;
      donation = { category, code, attempts, fields };
      for (const field of fields) log(`  show the donor: ${field.name}`);
    }

    return { user, donation, events, counters: structuredClone(sim.counters) };
  } finally {
    await sim.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
