import type { Classification, CodeRule, ResponseInput } from '@triage/core';
import { describe, expect, it } from 'vitest';
import { CONVIO_CODES, CONVIO_STATUSES, convio } from '../../src/convio/index.ts';
import { classificationRows, vendorPage } from '../research.ts';

/** The page's codes and descriptions: lines like `2 Missing or incorrect API key.`. */
function pageCodes(): { statuses: Map<string, string>; codes: Map<string, string> } {
  const statuses = new Map<string, string>();
  const codes = new Map<string, string>();
  let section = '';
  for (const line of vendorPage('convio-luminate-errors.txt').split('\n')) {
    const text = line.trim();
    if (text === 'Status Codes' || text.endsWith('Error Codes')) section = text;
    const space = text.indexOf(' ');
    const code = text.slice(0, space);
    if (space === -1 || code === '' || !/^\d+$/.test(code)) continue;
    (section === 'Status Codes' ? statuses : codes).set(code, text.slice(space + 1));
  }
  return { statuses, codes };
}

const page = pageCodes();
const single = Object.entries(CONVIO_CODES).filter(
  (entry): entry is [string, CodeRule] => !Array.isArray(entry[1]) && entry[0] !== '302',
);
const messageFor = (code: string): string => page.codes.get(code) ?? `Convio error ${code}.`;

function expected(
  rule: CodeRule,
  code: string | number,
  status: number,
  message: string,
  fields: Classification['fields'] = [],
): Classification {
  const result: Classification = {
    vendor: 'convio',
    category: rule.category,
    code,
    message,
    status,
    fields,
    effect: rule.effect!,
    source: 'response',
    reason: rule.reason,
  };
  if (rule.category === 'auth') result.refreshable = rule.refreshable === true;
  if (rule.throttle === true) result.throttle = true;
  if (rule.retry !== undefined) result.retry = rule.retry;
  return result;
}

describe('the Convio table', () => {
  it('has every code of the vendor page', () => {
    expect([...page.statuses.keys()]).toStrictEqual(['200', '302', '403', '405']);
    expect(page.codes.size).toBe(20);
    for (const code of page.codes.keys()) expect(CONVIO_CODES[code], code).toBeDefined();
    // 200 is success; 302 becomes a code; 403 and 405 are status rules.
    expect(CONVIO_CODES['302']).toBeDefined();
    expect(Object.keys(CONVIO_STATUSES)).toStrictEqual(['403', '405']);
  });

  it('has every row of classification.csv, and says so where it decides differently', () => {
    const research = classificationRows('convio_luminate');
    expect(research).toHaveLength(27);
    const codes = new Set<string>();
    for (const row of research) {
      const status = row.code.startsWith('HTTP ') ? Number(row.code.slice(5)) : undefined;
      const entry =
        status === undefined || status === 302
          ? CONVIO_CODES[String(status ?? row.code)]
          : CONVIO_STATUSES[status];
      expect(entry, row.code).toBeDefined();
      codes.add(status === undefined ? row.code : `HTTP ${status}`);
      const variants: readonly CodeRule[] = Array.isArray(entry) ? entry : [entry as CodeRule];
      const same = variants.some(
        (rule) =>
          rule.category === row.category &&
          (row.category !== 'auth' ||
            (rule.refreshable === true) === (row.authKind === 'refreshable')),
      );
      if (!same) {
        for (const rule of variants) expect(rule.reason, row.code).toContain('classification.csv');
      }
    }
    // Nothing in the table that the research does not know about.
    const tableCodes = [
      ...Object.keys(CONVIO_CODES).map((c) => (c === '302' ? 'HTTP 302' : c)),
      ...Object.keys(CONVIO_STATUSES).map((s) => `HTTP ${s}`),
    ];
    expect(new Set(tableCodes)).toStrictEqual(codes);
  });

  it('states the effect of every row, and cites a page in every reason', () => {
    const rules = [
      ...Object.values(CONVIO_CODES).flat(),
      ...Object.values(CONVIO_STATUSES),
    ] as CodeRule[];
    for (const rule of rules) {
      expect(rule.effect).toMatch(/^(none|unknown)$/);
      expect(rule.reason).toMatch(/^(page|apidoc)/);
    }
  });
});

describe('every Convio errorResponse code through classify()', () => {
  const variants: [string, (code: string, message: string) => ResponseInput, number][] = [
    [
      'JSON as text/plain, HTTP 403',
      (code, message) => ({
        status: 403,
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify({ errorResponse: { code, message } }),
      }),
      403,
    ],
    [
      'JSON with suppress_response_codes, HTTP 200, as bytes',
      (code, message) => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: new TextEncoder().encode(JSON.stringify({ errorResponse: { code, message } })),
      }),
      200,
    ],
    [
      'namespaced XML, HTTP 403',
      (code, message) => ({
        status: 403,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body:
          "<?xml version='1.0' encoding='UTF-8'?>\n" +
          '<errorResponse xmlns="http://convio.com/crm/v1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
          'xsi:schemaLocation="http://convio.com/crm/v1.0 http://service.convio.net/xmlschema/crm.public.v1.xsd">\n' +
          `  <code>${code}</code>\n  <message>${message.replaceAll('&', '&amp;')}</message>\n</errorResponse>\n`,
      }),
      403,
    ],
    [
      'JSON parsed by the client (axios), HTTP 200',
      (code, message) => ({ status: 200, body: { errorResponse: { code, message } } }),
      200,
    ],
  ];

  for (const [name, build, status] of variants) {
    it.each(single)(`code %s: ${name}`, (code, rule) => {
      const message = messageFor(code);
      expect(convio.classify(build(code, message))).toStrictEqual(
        expected(rule, code, status, message),
      );
    });
  }

  it.each(single)('code %s as a JSON number keeps the number', (code, rule) => {
    const body = `{"errorResponse":{"code":${code},"message":"m"}}`;
    expect(convio.classify({ status: 403, body })).toStrictEqual(
      expected(rule, Number(code), 403, 'm'),
    );
  });
});

describe('Convio 101 by reason, and 302', () => {
  const [fieldValidation, otherwise] = CONVIO_CODES['101'] as readonly CodeRule[];
  const message = 'Error: There was a problem encountered while processing your donation.';

  it('FIELD_VALIDATION in XML: validation, with the field messages', () => {
    const body = [
      '<donationResponse xsi:schemaLocation="http://convio.com/crm/v1.0 http://service.convio.net/xmlschema/crm.public.v1.xsd" xmlns="http://convio.com/crm/v1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
      '<errors>',
      '<code>101</code>',
      `<message>\n${message}\n</message>`,
      '<reason>FIELD_VALIDATION</reason>',
      '<pageError>\nThere was a problem processing your request. Please see below.\n</pageError>',
      '<fieldError>Credit card number is invalid.</fieldError>',
      '<fieldError>Gift amount is invalid.</fieldError>',
      '</errors>',
      '</donationResponse>',
    ].join('\n');
    expect(
      convio.classify({ status: 200, headers: { 'content-type': 'text/xml' }, body }),
    ).toStrictEqual(
      expected(fieldValidation!, '101', 200, message, [
        { name: 'Credit card number is invalid.' },
        { name: 'Gift amount is invalid.' },
      ]),
    );
  });

  it('FIELD_VALIDATION in JSON with a single error object and a single fieldError', () => {
    const body = JSON.stringify({
      donationResponse: {
        errors: {
          code: '101',
          message,
          reason: 'FIELD_VALIDATION',
          fieldError: 'Billing city is required.',
        },
      },
    });
    expect(convio.classify({ status: 403, body })).toStrictEqual(
      expected(fieldValidation!, '101', 403, message, [{ name: 'Billing city is required.' }]),
    );
  });

  it.each([
    ['another reason', { code: '101', message, reason: 'DECLINED' }],
    ['no reason', { code: 101, message }],
  ])('%s: fatal, effect unknown (a card may have been charged)', (_, error) => {
    const body = JSON.stringify({ donationResponse: { errors: [error] } });
    expect(convio.classify({ status: 200, body })).toStrictEqual(
      expected(otherwise!, error.code, 200, message),
    );
  });

  it('302: fatal, effect unknown, whatever the body', () => {
    const rule = CONVIO_CODES['302'] as CodeRule;
    const input = { status: 302, headers: { location: 'https://example.org/thanks' }, body: '' };
    expect(convio.classify(input)).toStrictEqual(
      expected(rule, '302', 302, 'HTTP 302 redirect: the call may or may not have succeeded'),
    );
  });
});
