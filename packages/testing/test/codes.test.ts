import type { VendorProfile } from '@triage/core';
import type { SimulatedError, VendorName } from '@triage/testing';
import { startVendorSimulator, type VendorSimulator } from '@triage/testing/node';
import { co3 } from '@triage/vendors/co3';
import { convio } from '@triage/vendors/convio';
import { fonedynamics } from '@triage/vendors/fonedynamics';
import { simplybook } from '@triage/vendors/simplybook';
import { voipnow } from '@triage/vendors/voipnow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CO3_DESCRIPTIONS } from '../src/simulators/co3/errors.ts';
import { CONVIO_MESSAGES, CONVIO_VARIANTS } from '../src/simulators/convio/errors.ts';
import { FONEDYNAMICS_ERRORS } from '../src/simulators/fonedynamics/errors.ts';
import { SIMPLYBOOK_MESSAGES, SIMPLYBOOK_VARIANTS } from '../src/simulators/simplybook/errors.ts';
import { VOIPNOW_ERRORS } from '../src/simulators/voipnow/errors.ts';
import { classify, type Received, send, tableEntries } from './helpers.ts';

// Every code of every vendor table, forced through a real simulator and read back through the
// vendor's own profile: the code must come back exactly, and classify by the table's own rule
// (the variant's, for codes that have several), never by a fallback.

interface VendorCase {
  vendor: VendorName;
  profile: VendorProfile;
  /** The simulator's message data: it must cover the table exactly. */
  data: Readonly<Record<string, unknown>>;
  /** Variants per code, in the order of the table's rules. */
  variants: Readonly<Record<string, readonly Partial<SimulatedError>[]>>;
  /** A request to the API (its content does not matter: a forced error answers it). */
  path: string;
  init: RequestInit;
  /** What the wire must look like for a code. */
  wire(code: string, received: Received): void;
}

const cases: VendorCase[] = [
  {
    vendor: 'simplybook',
    profile: simplybook,
    data: SIMPLYBOOK_MESSAGES,
    variants: SIMPLYBOOK_VARIANTS,
    path: '/',
    init: { method: 'POST', body: '{"jsonrpc":"2.0","method":"getEventList","params":[],"id":7}' },
    wire(code, received) {
      expect(received.status).toBe(200);
      expect(received.headers.get('content-type')).toBe('application/json');
      const body = JSON.parse(received.body) as {
        error: { code: number };
        id: unknown;
        jsonrpc: string;
      };
      expect(body).toMatchObject({ error: { code: Number(code) }, id: 7, jsonrpc: '2.0' });
    },
  },
  {
    vendor: 'co3',
    profile: co3,
    data: CO3_DESCRIPTIONS,
    variants: {},
    path: '/api/crm',
    init: { method: 'POST', body: '<command><getContacts/></command>' },
    wire(code, received) {
      expect(received.status).toBe(code === '8' ? 429 : 200);
      expect(received.headers.get('content-type')).toBe('text/xml; charset=utf-8');
      expect(received.body).toMatch(
        new RegExp(
          `^<\\?xml version="1.0" encoding="utf-8"\\?>\\n<response><error><code>${code}</code><description><!\\[CDATA\\[`,
        ),
      );
    },
  },
  {
    vendor: 'convio',
    profile: convio,
    data: CONVIO_MESSAGES,
    variants: CONVIO_VARIANTS,
    path: '/site/CRConsAPI',
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'method=getUser&response_format=json&cons_id=1',
    },
    wire(code, received) {
      if (code === '302') {
        expect(received.status).toBe(302);
        expect(received.body).toBe('');
        return;
      }
      expect(received.status).toBe(code === '405' ? 405 : 403);
      expect(received.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
      const envelope = code === '101' ? 'donationResponse' : 'errorResponse';
      expect(Object.keys(JSON.parse(received.body) as object)).toEqual([envelope]);
    },
  },
  {
    vendor: 'voipnow',
    profile: voipnow,
    data: VOIPNOW_ERRORS,
    variants: {},
    path: '/uapi/phoneCalls/@me/simple',
    init: { method: 'GET' },
    wire(code, received) {
      expect(received.status).toBe(VOIPNOW_ERRORS[code]?.[0]);
      expect(received.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(JSON.parse(received.body)).toEqual({
        error: { code, message: VOIPNOW_ERRORS[code]?.[1] },
      });
    },
  },
  {
    vendor: 'fonedynamics',
    profile: fonedynamics,
    data: FONEDYNAMICS_ERRORS,
    variants: {},
    path: '/v2/Accounts/AC1',
    init: { method: 'GET' },
    wire(code, received) {
      expect(received.status).toBe(FONEDYNAMICS_ERRORS[code]?.[0]);
      expect(received.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(JSON.parse(received.body)).toEqual({
        ResponseStatus: { ErrorCode: code, Message: FONEDYNAMICS_ERRORS[code]?.[1], Errors: [] },
      });
    },
  },
];

describe.each(cases)('every $vendor code', (vendorCase) => {
  let simulator: VendorSimulator;
  beforeAll(async () => {
    simulator = await startVendorSimulator({ vendor: vendorCase.vendor });
  });
  afterAll(() => simulator.close());

  test('the simulator has a message for exactly the codes of the profile table', () => {
    expect(Object.keys(vendorCase.data).sort()).toEqual(
      Object.keys(vendorCase.profile.codes).sort(),
    );
    expect(simulator.profile).toBe(vendorCase.profile);
  });

  test('each code (each variant) is produced in the wire format and classifies back to itself', async () => {
    const entries = tableEntries(vendorCase.profile);
    let produced = 0;
    for (const { code, reasons } of entries) {
      const variants = vendorCase.variants[code] ?? [{}];
      expect(variants).toHaveLength(reasons.length);
      for (const [index, variant] of variants.entries()) {
        simulator.failNext({ ...variant, code });
        const received = await send(`${simulator.url}${vendorCase.path}`, {
          ...vendorCase.init,
          redirect: 'manual',
        });
        vendorCase.wire(code, received);
        const method = vendorCase.init.method ?? 'GET';
        const classification = classify(vendorCase.profile, received, method);
        expect(classification, `${vendorCase.vendor} ${code}`).toMatchObject({
          vendor: vendorCase.vendor,
          source: 'response',
          status: received.status,
        });
        expect(String(classification?.code), `${vendorCase.vendor} ${code}`).toBe(code);
        expect(classification?.reason, `${vendorCase.vendor} ${code} #${index}`).toBe(
          reasons[index],
        );
        produced += 1;
      }
    }
    const variantsTotal = entries.reduce((sum, entry) => sum + entry.reasons.length, 0);
    expect(produced).toBe(variantsTotal);
    expect(simulator.counters.rejected).toBe(variantsTotal);
    expect(Object.keys(simulator.counters.rejectedByCode).sort()).toEqual(
      entries.map((entry) => entry.code).sort(),
    );
  });
});

test('Convio codes also classify back from XML and with suppress_response_codes=true', async () => {
  const simulator = await startVendorSimulator({ vendor: 'convio' });
  try {
    for (const { code, reasons } of tableEntries(convio)) {
      const variants = CONVIO_VARIANTS[code] ?? [{}];
      for (const [index, variant] of variants.entries()) {
        for (const suppress of [false, true]) {
          simulator.failNext({ ...variant, code });
          const received = await send(`${simulator.url}/site/CRDonationAPI`, {
            method: 'POST',
            redirect: 'manual',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: `method=donate${suppress ? '&suppress_response_codes=true' : ''}`,
          });
          if (code !== '302') {
            expect(received.status).toBe(suppress ? 200 : code === '405' ? 405 : 403);
            expect(received.headers.get('content-type')).toBe('text/xml;charset=UTF-8');
            expect(received.body).toContain('xmlns="http://convio.com/crm/v1.0"');
          }
          const classification = classify(convio, received);
          expect(String(classification?.code)).toBe(code);
          expect(classification?.reason).toBe(reasons[index]);
        }
      }
    }
  } finally {
    await simulator.close();
  }
});

test('forced errors take a message, a status and a field', async () => {
  const simulator = await startVendorSimulator({ vendor: 'fonedynamics' });
  try {
    simulator.failNext({ code: 'PARAMETER_REQUIRED', field: 'To' });
    simulator.failNext({ code: 'FORBIDDEN', message: 'No SMS for you', status: 401 });
    const first = await send(`${simulator.url}/v2/Accounts/x`);
    expect(first.status).toBe(400);
    expect(JSON.parse(first.body)).toEqual({
      ResponseStatus: {
        ErrorCode: 'PARAMETER_REQUIRED',
        Message: 'A required parameter is missing. Parameter: To.',
        Errors: [
          {
            ErrorCode: 'PARAMETER_REQUIRED',
            FieldName: 'To',
            Message: 'A required parameter is missing. Parameter: To.',
          },
        ],
      },
    });
    expect(classify(fonedynamics, first, 'GET')?.fields).toEqual([
      {
        name: 'To',
        code: 'PARAMETER_REQUIRED',
        message: 'A required parameter is missing. Parameter: To.',
      },
    ]);
    const second = await send(`${simulator.url}/v2/Accounts/x`);
    expect(second.status).toBe(401);
    expect(classify(fonedynamics, second, 'GET')).toMatchObject({
      code: 'FORBIDDEN',
      message: 'No SMS for you',
      category: 'auth',
    });
  } finally {
    await simulator.close();
  }
});

test('a CO3 field code names its field where the detector finds it', async () => {
  const simulator = await startVendorSimulator({ vendor: 'co3' });
  try {
    simulator.failNext({ code: 15, field: 'price' });
    simulator.failNext({ code: 13, field: 'quantity' });
    const zero = await send(`${simulator.url}/api/product`, { method: 'POST', body: '' });
    expect(zero.body).toContain('<![CDATA[The following field must not be 0: price]]>');
    expect(classify(co3, zero)?.fields).toEqual([
      { name: 'price', code: '15', message: 'The following field must not be 0: price' },
    ]);
    const integer = await send(`${simulator.url}/api/product`, { method: 'POST', body: '' });
    expect(classify(co3, integer)?.fields).toEqual([
      { name: 'quantity', code: '13', message: 'Integer format error in field: quantity' },
    ]);
  } finally {
    await simulator.close();
  }
});
