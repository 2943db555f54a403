import { attachTriage } from '@triage/axios';
import type { EventListener } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { withTriage } from '@triage/ky';
import { createManualClock, DEMO_ACCOUNTS } from '@triage/testing';
import { startVendorSimulator } from '@triage/testing/node';
import { co3, co3Auth } from '@triage/vendors/co3';
import { convio } from '@triage/vendors/convio';
import { fonedynamics } from '@triage/vendors/fonedynamics';
import { simplybook, simplybookAuth } from '@triage/vendors/simplybook';
import { voipnow, voipnowAuth } from '@triage/vendors/voipnow';
import axios from 'axios';
import ky from 'ky';
import type { Style } from './style.ts';
import { emptyTally, type Tally, Trace } from './trace.ts';

/** Short waits so the tour takes seconds; CO3's 1 s minimum after code 8 still applies. */
const retry = { minDelayMs: 50, maxDelayMs: 500 };

/** The rate burst: requests at once, and what the simulated account takes per second. */
const BURST = 40;
const BURST_RATE = 20;

type Write = (line: string) => void;

/** axios + SimplyBook: a throttled answer, an expired token, and a slot someone else took. */
async function simplybookTour(write: Write, style: Style): Promise<Tally> {
  const tally = emptyTally('axios + SimplyBook');
  const sim = await startVendorSimulator({ vendor: 'simplybook' });
  try {
    write(style.bold(`\n${tally.label}`) + style.dim('  (JSON-RPC errors inside HTTP 200)'));
    const trace = new Trace(write, style, tally);
    const api = axios.create({ baseURL: sim.url });
    attachTriage(api, {
      vendor: simplybook,
      retry,
      auth: simplybookAuth({ ...DEMO_ACCOUNTS.simplybook, loginUrl: `${sim.url}/login` }),
    });
    let id = 0;
    const call = async (
      method: string,
      params: unknown[],
      onEvent: EventListener,
    ): Promise<unknown> => {
      const res = await api.post(
        '/',
        { jsonrpc: '2.0', method, params, id: ++id },
        { triage: { onEvent } },
      );
      return (res.data as { result: unknown }).result;
    };
    const ann = { name: 'Ann Lee', email: 'ann@example.com' };

    sim.failNext({ status: 429 });
    await trace.run('book(): the vendor is throttling', async (onEvent) => {
      const result = (await call('book', ['1', '1', '2026-12-01', '10:00', ann], onEvent)) as {
        bookings: { id: string }[];
      };
      return `booked #${result.bookings[0]?.id}`;
    });
    sim.revokeCredentials();
    await trace.run('getEventList(): the token was revoked meanwhile', async (onEvent) => {
      const events = (await call('getEventList', [], onEvent)) as Record<string, unknown>;
      return `${Object.keys(events).length} services`;
    });
    await trace.run('book(): the same slot again', async (onEvent) => {
      await call('book', ['1', '1', '2026-12-01', '10:00', ann], onEvent);
      return 'booked';
    });
  } finally {
    await sim.close();
  }
  return tally;
}

/** ky + CO3: a burst over CO3's concurrency, then a session key that outlived its 5 minutes. */
async function co3Tour(write: Write, style: Style): Promise<Tally> {
  const tally = emptyTally('ky + CO3');
  const vendorClock = createManualClock({ start: Date.now() });
  const sim = await startVendorSimulator({
    vendor: 'co3',
    clock: vendorClock,
    concurrency: 2,
    serviceTimeMs: 30,
  });
  try {
    write(
      style.bold(`\n${tally.label}`) +
        style.dim('  (XML errors; nothing is saved on any error, so even writes are retried)'),
    );
    const trace = new Trace(write, style, tally);
    const { apiKey, username, passwordMd5 } = DEMO_ACCOUNTS.co3;
    const api = withTriage(ky.create({ prefix: sim.url }), {
      vendor: co3,
      retry,
      // The demo shows code 8 on purpose: no pacing at CO3's documented 2 per second.
      limits: { rate: false, concurrency: false },
      auth: co3Auth({
        apiKey,
        username,
        passwordMd5,
        url: `${sim.url}/api/authenticate`,
        clock: vendorClock,
      }),
    });
    const setContact = (name: string) => (onEvent: EventListener) =>
      api
        .post('api/crm', {
          triage: { onEvent },
          headers: { 'content-type': 'text/xml; charset=utf-8' },
          body: `<?xml version="1.0" encoding="utf-8"?><command><setContact><api_key>${apiKey}</api_key><contact_lastname>${name}</contact_lastname></setContact></command>`,
        })
        .text()
        .then((xml) => `saved contact ${/<contact_id>(\d+)<\/contact_id>/.exec(xml)?.[1] ?? '?'}`);

    await Promise.all(
      ['Kovács', 'Nagy', 'Szabó'].map((name) =>
        trace.run(
          `setContact(${name}): three at once; CO3 serves two at a time`,
          setContact(name),
          false,
        ),
      ),
    );
    await vendorClock.advance(5 * 60_000);
    await trace.run(
      'setContact(Tóth): 5 minutes later, co3Auth renews the key before it expires',
      setContact('Tóth'),
    );
    sim.revokeCredentials();
    await trace.run('setContact(Varga): the session key was revoked', setContact('Varga'));
  } finally {
    await sim.close();
  }
  return tally;
}

/** fetch + Convio: a proxy's HTML 502 on a write (not repeated), and a donation with a bad card. */
async function convioTour(write: Write, style: Style): Promise<Tally> {
  const tally = emptyTally('fetch + Convio');
  const sim = await startVendorSimulator({ vendor: 'convio' });
  try {
    write(
      style.bold(`\n${tally.label}`) + style.dim('  (errorResponse behind 403, or inside 200)'),
    );
    const trace = new Trace(write, style, tally);
    const fetch = createTriageFetch({ vendor: convio, retry });
    const form = (params: Record<string, string>) =>
      new URLSearchParams({
        api_key: DEMO_ACCOUNTS.convio.apiKey,
        v: '1.0',
        response_format: 'json',
        ...params,
      });
    const post = (path: string, params: Record<string, string>) => (onEvent: EventListener) =>
      fetch(`${sim.url}${path}`, { method: 'POST', body: form(params), triage: { onEvent } }).then(
        (res) => res.text(),
      );
    const eva = { method: 'create', primary_email: 'eva@example.org', 'name.first': 'Eva' };

    sim.failNext({ fault: 'html', status: 502 });
    await trace.run(
      'create(Eva): a proxy answers 502; did Convio create her?',
      post('/site/CRConsAPI', eva),
    );
    await trace.run(
      'getUser(Eva): reconcile instead of repeating the write',
      post('/site/CRConsAPI', { method: 'getUser', primary_email: 'eva@example.org' }),
    );
    await trace.run('create(Eva): not there, so create her now', async (onEvent) => {
      const body = await post('/site/CRConsAPI', eva)(onEvent);
      return `created ${/"cons_id":"(\d+)"/.exec(body)?.[1] ?? body}`;
    });
    sim.failNext({ code: 101, reason: 'FIELD_VALIDATION' });
    await trace.run(
      'donate(): the card fields are wrong',
      post('/site/CRDonationAPI', { method: 'donate', amount: '25' }),
    );
  } finally {
    await sim.close();
  }
  return tally;
}

/** fetch + VoipNow: a 500 on a read (retried) and on a call placement (never repeated). */
async function voipnowTour(write: Write, style: Style): Promise<Tally> {
  const tally = emptyTally('fetch + VoipNow');
  const sim = await startVendorSimulator({ vendor: 'voipnow' });
  try {
    write(
      style.bold(`\n${tally.label}`) +
        style.dim('  (OAuth2 bearer tokens; a repeated POST could place a second phone call)'),
    );
    const trace = new Trace(write, style, tally);
    const fetch = createTriageFetch({
      vendor: voipnow,
      retry,
      auth: voipnowAuth({ tokenUrl: `${sim.url}/oauth/token.php`, ...DEMO_ACCOUNTS.voipnow }),
    });
    const calls = `${sim.url}/uapi/phoneCalls/@me/simple`;
    sim.failNext('internal_server_error');
    await trace.run('GET phone calls: a 500 on a read', (onEvent) =>
      fetch(calls, { triage: { onEvent } }).then(() => 'listed the calls'),
    );
    sim.failNext('internal_server_error');
    await trace.run('POST a phone call: a 500 on a call placement', (onEvent) =>
      fetch(calls, {
        method: 'POST',
        triage: { onEvent },
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          phoneCallView: [{ source: ['0003*001'], destination: ['0040123'] }],
        }),
      }).then(() => 'call placed'),
    );
  } finally {
    await sim.close();
  }
  return tally;
}

/**
 * fetch + Fone Dynamics: an SMS to a malformed number (field error), a 500 on a read, and a burst
 * over a rate the vendor never documented.
 */
async function fonedynamicsTour(write: Write, style: Style): Promise<Tally> {
  const tally = emptyTally('fetch + Fone Dynamics');
  const sim = await startVendorSimulator({ vendor: 'fonedynamics' });
  const { accountSid, token, propertySid } = DEMO_ACCOUNTS.fonedynamics;
  const headers = {
    authorization: `Basic ${btoa(`${accountSid}:${token}`)}`,
    'content-type': 'application/json',
  };
  try {
    write(
      style.bold(`\n${tally.label}`) +
        style.dim('  (ServiceStack ResponseStatus with field names)'),
    );
    const trace = new Trace(write, style, tally);
    const fetch = createTriageFetch({
      vendor: fonedynamics,
      retry,
    });
    await trace.run('send an SMS to 0400 000 000', (onEvent) =>
      fetch(`${sim.url}/v2/Properties/${propertySid}/Messages`, {
        method: 'POST',
        triage: { onEvent },
        headers,
        body: JSON.stringify({
          From: '61400000001',
          To: '0400 000 000',
          Text: 'Your booking is confirmed',
        }),
      }).then(() => 'sent'),
    );
    sim.failNext({ status: 500 });
    await trace.run('read the account: a 500 on a GET', (onEvent) =>
      fetch(`${sim.url}/v2/Accounts/${accountSid}`, { headers, triage: { onEvent } }).then(
        () => 'read the account',
      ),
    );
  } finally {
    await sim.close();
  }
  // Fone Dynamics documents no rate limit; given one, the simulator answers over it with a bare
  // 429 (no Retry-After, no RateLimit headers): triage discovers the rate from the throttles.
  const limited = await startVendorSimulator({ vendor: 'fonedynamics', rate: BURST_RATE });
  try {
    const fetch = createTriageFetch({ vendor: fonedynamics, retry });
    await new Trace(write, style, tally).burst(
      `${BURST} reads at once; the account takes ${BURST_RATE} a second, the rest get a bare 429`,
      BURST,
      (_, onEvent) =>
        fetch(`${limited.url}/v2/Accounts/${accountSid}`, { headers, triage: { onEvent } }),
    );
  } finally {
    await limited.close();
  }
  return tally;
}

/** Every leg of the tour, in order. */
export const legs: readonly ((write: Write, style: Style) => Promise<Tally>)[] = [
  simplybookTour,
  co3Tour,
  convioTour,
  voipnowTour,
  fonedynamicsTour,
];
