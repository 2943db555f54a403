import { startVendorSimulator, type VendorSimulator } from '@triage/testing/node';
import { convio } from '@triage/vendors/convio';
import { afterEach, describe, expect, test } from 'vitest';
import { classify, convioForm, send } from './helpers.ts';

let simulator: VendorSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(): Promise<VendorSimulator> {
  simulator = await startVendorSimulator({ vendor: 'convio' });
  return simulator;
}

const CONS = '/site/CRConsAPI';
const DONATION = '/site/CRDonationAPI';
const JSON_FORMAT = { response_format: 'json' };

describe('constituents', () => {
  test('create, getUser and update in JSON (served as text/plain), each write a side effect', async () => {
    const sim = await start();
    const created = await send(
      `${sim.url}${CONS}`,
      convioForm({
        ...JSON_FORMAT,
        method: 'create',
        primary_email: 'ann@example.org',
        'name.first': 'Ann',
      }),
    );
    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect(JSON.parse(created.body)).toEqual({
      createConsResponse: { cons_id: '1001', message: 'User created.' },
    });
    const updated = await send(
      `${sim.url}${CONS}`,
      convioForm({ ...JSON_FORMAT, method: 'update', cons_id: '1001', 'name.last': 'Lee' }),
    );
    expect(JSON.parse(updated.body)).toEqual({
      updateConsResponse: { cons_id: '1001', message: 'User updated.' },
    });
    const read = await send(
      `${sim.url}${CONS}`,
      convioForm({ ...JSON_FORMAT, method: 'getUser', primary_email: 'ANN@example.org' }),
    );
    expect(JSON.parse(read.body)).toEqual({
      getConsResponse: {
        cons_id: '1001',
        primary_email: 'ann@example.org',
        name: { first: 'Ann', last: 'Lee' },
      },
    });
    expect(classify(convio, read)).toBeUndefined();
    expect(sim.counters).toMatchObject({ accepted: 3, sideEffects: 2 });
  });

  test('XML by default, under the Convio namespace', async () => {
    const sim = await start();
    const created = await send(
      `${sim.url}${CONS}`,
      convioForm({ method: 'create', primary_email: 'a&b@example.org' }),
    );
    expect(created.headers.get('content-type')).toBe('text/xml;charset=UTF-8');
    expect(created.body).toBe(
      "<?xml version='1.0' encoding='UTF-8'?>\n" +
        '<createConsResponse xmlns="http://convio.com/crm/v1.0"><cons_id>1001</cons_id><message>User created.</message></createConsResponse>',
    );
    const refused = await send(
      `${sim.url}${CONS}`,
      convioForm({ method: 'getUser', cons_id: '9' }),
    );
    expect(refused.status).toBe(403);
    expect(refused.body).toBe(
      "<?xml version='1.0' encoding='UTF-8'?>\n" +
        '<errorResponse xmlns="http://convio.com/crm/v1.0"><code>16</code><message>Cannot access the user because no records match the search criteria.</message></errorResponse>',
    );
    expect(classify(convio, refused)).toMatchObject({ code: '16', category: 'validation' });
  });

  test.each([
    [{ method: 'getUser' }, '10'],
    [{ method: 'getUser', cons_id: '1' }, '16'],
    [{ method: 'create' }, '10'],
    [{ method: 'update' }, '10'],
    [{ method: 'update', cons_id: '77' }, '16'],
    [{ method: 'deleteEveryone' }, '17'],
    [{ method: '' }, '6'],
    [{ method: 'getUser', cons_id: '1', api_key: 'wrong' }, '2'],
  ])('%j is refused with code %s behind HTTP 403', async (params, code) => {
    const sim = await start();
    const res = await send(`${sim.url}${CONS}`, convioForm({ ...JSON_FORMAT, ...params }));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ errorResponse: { code } });
    expect(classify(convio, res)?.code).toBe(code);
  });

  test('duplicates: a matching record (11), an email taken by another (13)', async () => {
    const sim = await start();
    const create = (email: string) =>
      send(
        `${sim.url}${CONS}`,
        convioForm({ ...JSON_FORMAT, method: 'create', primary_email: email }),
      );
    await create('a@example.org');
    await create('b@example.org');
    expect(JSON.parse((await create('a@example.org')).body)).toMatchObject({
      errorResponse: { code: '11' },
    });
    const taken = await send(
      `${sim.url}${CONS}`,
      convioForm({
        ...JSON_FORMAT,
        method: 'update',
        cons_id: '1002',
        primary_email: 'a@example.org',
      }),
    );
    expect(JSON.parse(taken.body)).toMatchObject({ errorResponse: { code: '13' } });
    expect(sim.counters.sideEffects).toBe(2);
  });

  test('suppress_response_codes=true sends errors with HTTP 200; a GET is 405', async () => {
    const sim = await start();
    const suppressed = await send(
      `${sim.url}${CONS}`,
      convioForm({
        ...JSON_FORMAT,
        method: 'getUser',
        cons_id: '1',
        suppress_response_codes: 'true',
      }),
    );
    expect(suppressed.status).toBe(200);
    expect(classify(convio, suppressed)).toMatchObject({ code: '16', status: 200 });
    const get = await send(
      `${sim.url}${CONS}?method=getUser&response_format=json&api_key=demo-api-key`,
    );
    expect(get.status).toBe(405);
    expect(JSON.parse(get.body)).toEqual({
      errorResponse: {
        code: '405',
        message: 'Bad HTTP method. Requests must be made via the "post" HTTP method.',
      },
    });
    expect(classify(convio, get, 'GET')).toMatchObject({ code: '405', category: 'validation' });
    expect((await send(`${sim.url}/site/CRTeamraiserAPI`, convioForm({}))).status).toBe(404);
  });
});

describe('donations', () => {
  const DONATE = { ...JSON_FORMAT, method: 'donate', form_id: '1201', level_id: '1301' };

  test('a donation is a side effect', async () => {
    const sim = await start();
    const res = await send(`${sim.url}${DONATION}`, {
      ...convioForm({ ...DONATE, card_number: '4111 1111 1111 1111', other_amount: '25' }),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'Idempotency-Key': 'gift-1',
      },
    });
    expect(JSON.parse(res.body)).toEqual({
      donationResponse: {
        donation: {
          confirmation_code: 'CONF-5001',
          transaction_id: '5001',
          amount: { decimal: '25.00', formatted: '$25.00' },
        },
      },
    });
    expect(classify(convio, res)).toBeUndefined();
    expect(sim.counters).toMatchObject({ sideEffects: 1, sideEffectsByKey: { 'gift-1': 1 } });
  });

  test('a bad card is a FIELD_VALIDATION 101 (validation); a declined one is fatal with an unknown effect', async () => {
    const sim = await start();
    const bad = await send(`${sim.url}${DONATION}`, convioForm({ ...DONATE, card_number: '12' }));
    expect(JSON.parse(bad.body)).toEqual({
      donationResponse: {
        errors: {
          code: '101',
          message: 'The donation failed.',
          reason: 'FIELD_VALIDATION',
          pageError: 'The donation failed.',
          fieldError: 'Credit card number: please enter a valid card number.',
        },
      },
    });
    expect(classify(convio, bad)).toMatchObject({
      code: '101',
      category: 'validation',
      fields: [{ name: 'Credit card number: please enter a valid card number.' }],
    });
    const declined = await send(
      `${sim.url}${DONATION}`,
      convioForm({ ...DONATE, card_number: '4000000000000002' }),
    );
    expect(classify(convio, declined)).toMatchObject({
      code: '101',
      category: 'fatal',
      effect: 'unknown',
    });
    expect(sim.counters.sideEffects).toBe(0);
  });

  test.each([
    [{ form_id: '' }, '102'],
    [{ level_id: 'x' }, '103'],
    [{ method: 'refund' }, '17'],
  ])('%j is refused with code %s', async (params, code) => {
    const sim = await start();
    const res = await send(
      `${sim.url}${DONATION}`,
      convioForm({ ...DONATE, card_number: '4111111111111111', ...params }),
    );
    expect(JSON.parse(res.body)).toMatchObject({ errorResponse: { code } });
  });

  test('a forced 302 redirects to the redirect parameter; its outcome is unknown', async () => {
    const sim = await start();
    sim.failNext(302);
    const res = await fetch(`${sim.url}${DONATION}`, {
      ...convioForm({ ...DONATE, redirect: 'https://example.org/thanks' }),
      redirect: 'manual',
    });
    expect([res.status, res.headers.get('location')]).toEqual([302, 'https://example.org/thanks']);
    expect(convio.classify({ status: 302, body: '' })).toMatchObject({
      code: '302',
      effect: 'unknown',
    });
  });
});
