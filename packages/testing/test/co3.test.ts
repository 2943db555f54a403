import { createTriageFetch } from '@triage/fetch';
import { type Co3SimulatorOptions, createManualClock, DEMO_ACCOUNTS } from '@triage/testing';
import { startVendorSimulator, type VendorSimulator } from '@triage/testing/node';
import { co3, co3Auth } from '@triage/vendors/co3';
import { afterEach, describe, expect, test } from 'vitest';
import { CO3_AUTH_BODY, classify, co3Command, co3Session, send, xmlPost } from './helpers.ts';

let simulator: VendorSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(options: Omit<Co3SimulatorOptions, 'vendor'> = {}): Promise<VendorSimulator> {
  simulator = await startVendorSimulator({ vendor: 'co3', ...options });
  return simulator;
}

function codeOf(body: string): string | undefined {
  return /<code>(\d+)<\/code>/.exec(body)?.[1];
}

describe('/api/authenticate', () => {
  test('hands out a session key as XML', async () => {
    const sim = await start();
    const res = await send(`${sim.url}/api/authenticate`, xmlPost(CO3_AUTH_BODY));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(res.body).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<response><session_key><![CDATA[co3-session-00000001]]></session_key></response>',
    );
    expect(classify(co3, res)).toBeUndefined();
    expect(sim.counters.credentialsIssued).toBe(1);
  });

  test.each([
    ['', '1'],
    ['<command><authenticate>', '2'],
    ['<!DOCTYPE x [<!ENTITY a "b">]><command/>', '2'],
    ['<command><login/></command>', '3'],
    ['<command><authenticate><api_key>demo-api-key</api_key></authenticate></command>', '4'],
    [
      '<command><authenticate><api_key>nope</api_key><username>demo</username><password>x</password></authenticate></command>',
      '5',
    ],
    [
      '<command><authenticate><api_key>demo-api-key</api_key><username>demo</username><password>x</password></authenticate></command>',
      '7',
    ],
  ])('%j is refused with code %s', async (body, code) => {
    const sim = await start();
    const res = await send(`${sim.url}/api/authenticate`, xmlPost(body));
    expect([res.status, codeOf(res.body)]).toEqual([200, code]);
    expect(classify(co3, res)).toMatchObject({ code, effect: 'none' });
    expect(sim.counters).toMatchObject({ credentialsIssued: 0, rejectedByCode: { [code]: 1 } });
  });
});

describe('session keys', () => {
  test('live 5 minutes on the injected clock: code 10 after, code 6 when unknown, 4 when missing', async () => {
    const clock = createManualClock();
    const sim = await start({ clock });
    const session = await co3Session(sim.url);
    const list = (key: string) =>
      send(`${sim.url}/api/crm`, xmlPost(co3Command('getContacts', key)));
    await clock.advance(299_999);
    expect((await list(session)).body).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<response><contacts></contacts></response>',
    );
    await clock.advance(1);
    const expired = await list(session);
    expect(codeOf(expired.body)).toBe('10');
    expect(classify(co3, expired)).toMatchObject({ category: 'auth', refreshable: true });
    expect(codeOf((await list('made-up')).body)).toBe('6');
    const missing = await send(
      `${sim.url}/api/crm`,
      xmlPost('<command><getContacts><api_key>demo-api-key</api_key></getContacts></command>'),
    );
    expect(codeOf(missing.body)).toBe('4');
    const fresh = await co3Session(sim.url);
    expect((await list(fresh)).status).toBe(200);
    sim.revokeCredentials();
    expect(codeOf((await list(fresh)).body)).toBe('6');
  });

  test('sessionLifetimeMs is configurable; a key of another account is unknown (6)', async () => {
    const clock = createManualClock();
    const sim = await start({
      clock,
      sessionLifetimeMs: 1000,
      accounts: [DEMO_ACCOUNTS.co3, { apiKey: 'other', username: 'o', passwordMd5: 'p' }],
    });
    const session = await co3Session(sim.url);
    const foreign = await send(
      `${sim.url}/api/crm`,
      xmlPost(
        `<command><getContacts><api_key>other</api_key><session_key>${session}</session_key></getContacts></command>`,
      ),
    );
    expect(codeOf(foreign.body)).toBe('6');
    const unknownKey = await send(
      `${sim.url}/api/crm`,
      xmlPost(
        `<command><getContacts><api_key>nope</api_key><session_key>${session}</session_key></getContacts></command>`,
      ),
    );
    expect(codeOf(unknownKey.body)).toBe('5');
    await clock.advance(1000);
    expect(
      codeOf((await send(`${sim.url}/api/crm`, xmlPost(co3Command('getContacts', session)))).body),
    ).toBe('10');
  });
});

describe('commands', () => {
  test('setContact creates and updates; getContact reads; each write is a side effect', async () => {
    const sim = await start();
    const session = await co3Session(sim.url);
    const run = (method: string, inner: string) =>
      send(`${sim.url}/api/crm`, xmlPost(co3Command(method, session, inner)));
    const created = await run(
      'setContact',
      '<contact_lastname><![CDATA[Kovács & Co]]></contact_lastname><contact_email>k@example.hu</contact_email>',
    );
    expect(created.body).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<response><result>OK</result><contact_id>101</contact_id></response>',
    );
    expect(
      (await run('setContact', '<contact_id>101</contact_id><contact_firm>ACME</contact_firm>'))
        .status,
    ).toBe(200);
    expect((await run('getContact', '<contact_id>101</contact_id>')).body).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<response><contact><contact_id>101</contact_id>' +
        '<contact_lastname>Kovács &amp; Co</contact_lastname><contact_firstname></contact_firstname>' +
        '<contact_firm>ACME</contact_firm><contact_email>k@example.hu</contact_email></contact></response>',
    );
    expect(sim.counters).toMatchObject({ accepted: 3, sideEffects: 2 });
  });

  test.each([
    ['setContact', '<contact_email>k@example.hu</contact_email>', '206'],
    [
      'setContact',
      '<contact_lastname>K</contact_lastname><contact_email>nope</contact_email>',
      '22',
    ],
    ['setContact', '<contact_id>x1</contact_id>', '13'],
    ['setContact', '<contact_id>999</contact_id>', '201'],
    ['getContact', '', '4'],
    ['getContact', '<contact_id>999</contact_id>', '201'],
    ['deleteEverything', '', '3'],
  ])('%s(%s) is refused with code %s and saves nothing', async (method, inner, code) => {
    const sim = await start();
    const session = await co3Session(sim.url);
    const res = await send(`${sim.url}/api/crm`, xmlPost(co3Command(method, session, inner)));
    expect(codeOf(res.body)).toBe(code);
    expect(classify(co3, res)).toMatchObject({ code, effect: 'none' });
    expect(sim.counters.sideEffects).toBe(0);
  });

  test('an integer field error names the field', async () => {
    const sim = await start();
    const session = await co3Session(sim.url);
    const res = await send(
      `${sim.url}/api/crm`,
      xmlPost(co3Command('getContact', session, '<contact_id>abc</contact_id>')),
    );
    expect(classify(co3, res)?.fields).toEqual([
      { name: 'contact_id', code: '13', message: 'Integer format error in field: contact_id' },
    ]);
  });
});

test('end to end: co3Auth and createTriageFetch ride out throttling and an expired key', async () => {
  const clock = createManualClock();
  // One call at a time, held 50 ms: a second concurrent call meets code 8.
  const sim = await start({ clock, concurrency: 1, serviceTimeMs: 50 });
  const { apiKey, username, passwordMd5 } = DEMO_ACCOUNTS.co3;
  const triageClock = createManualClock({ autoAdvance: true });
  const triageFetch = createTriageFetch({
    vendor: co3,
    // The helper believes keys live 10 minutes: the simulator's 5 decide, with code 10.
    auth: co3Auth({
      apiKey,
      username,
      passwordMd5,
      url: `${sim.url}/api/authenticate`,
      clock,
      sessionLifetimeMs: 600_000,
    }),
    clock: triageClock,
    random: () => 0,
  });
  const setContact = (name: string) =>
    triageFetch(`${sim.url}/api/crm`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: `<?xml version="1.0" encoding="utf-8"?><command><setContact><api_key>${apiKey}</api_key><contact_lastname>${name}</contact_lastname></setContact></command>`,
    }).then((res) => res.text());
  const [first, second] = await Promise.all([setContact('A'), setContact('B')]);
  expect([first, second].map((body) => /<contact_id>(\d+)/.exec(body)?.[1]).sort()).toEqual([
    '101',
    '102',
  ]);
  expect(sim.counters).toMatchObject({
    rejectedByCode: { '8': sim.counters.throttled },
    sideEffects: 2,
  });
  // How many retries meet the busy slot again depends on real timing; each waits the 1 s floor.
  const throttled = sim.counters.throttled;
  expect(throttled).toBeGreaterThanOrEqual(1);
  expect(triageClock.delays.filter((ms) => ms >= 1000)).toHaveLength(throttled);

  await clock.advance(300_000);
  expect(await setContact('C')).toContain('<contact_id>103</contact_id>');
  expect(sim.counters).toMatchObject({
    credentialsIssued: 2,
    rejectedByCode: { '8': throttled, '10': 1 },
    sideEffects: 3,
    peakConcurrency: 1,
  });
});
