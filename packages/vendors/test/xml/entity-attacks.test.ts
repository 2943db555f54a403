import { type ResponseInput, STATUS_RULES, type VendorProfile } from '@triage/core';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { co3 } from '../../src/co3/index.ts';
import { CONVIO_STATUSES, convio } from '../../src/convio/index.ts';

// The three attacks from the issue, each wrapped around an otherwise valid vendor error, so that
// a parser that expanded (or even tolerated) the DOCTYPE would classify by the vendor's code.
const attacks = {
  'billion laughs': (root: string, code: string) =>
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
      ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">',
      ' <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">',
      ']>',
      root.replace('CODE', code).replace('TEXT', '&lol9;'),
    ].join('\n'),
  'external entity': (root: string, code: string) =>
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>',
      root.replace('CODE', code).replace('TEXT', '&xxe;'),
    ].join('\n'),
  'entity in <code>': (root: string, code: string) =>
    [
      '<?xml version="1.0"?>',
      `<!DOCTYPE foo [ <!ENTITY c "${code}"> ]>`,
      root.replace('CODE', '&c;').replace('TEXT', 'x'),
    ].join('\n'),
};

const vendors: { profile: VendorProfile; root: string; code: string }[] = [
  {
    profile: co3,
    root: '<response><error><code>CODE</code><description>TEXT</description></error></response>',
    code: '8',
  },
  {
    profile: convio,
    root: '<errorResponse xmlns="http://convio.com/crm/v1.0"><code>CODE</code><message>TEXT</message></errorResponse>',
    code: '2',
  },
];

/** What each profile says for the status alone. */
const expectedByStatus: Record<string, Record<number, unknown>> = {
  co3: {
    200: undefined,
    403: {
      vendor: 'co3',
      category: 'auth',
      refreshable: false,
      message: 'HTTP 403',
      status: 403,
      fields: [],
      effect: 'none',
      source: 'response',
      reason: STATUS_RULES[403]!.reason,
    },
    500: {
      vendor: 'co3',
      category: 'retryable',
      message: 'HTTP 500',
      status: 500,
      fields: [],
      effect: 'unknown',
      source: 'response',
      reason: STATUS_RULES[500]!.reason,
    },
  },
  convio: {
    200: undefined,
    403: {
      vendor: 'convio',
      category: 'fatal',
      message: 'HTTP 403',
      status: 403,
      fields: [],
      effect: 'unknown',
      source: 'response',
      reason: CONVIO_STATUSES[403]!.reason,
    },
    500: {
      vendor: 'convio',
      category: 'retryable',
      message: 'HTTP 500',
      status: 500,
      fields: [],
      effect: 'unknown',
      source: 'response',
      reason: STATUS_RULES[500]!.reason,
    },
  },
};

describe('DOCTYPE and entity attacks fall back to the status, without expanding or throwing', () => {
  for (const { profile, root, code } of vendors) {
    for (const [attack, build] of Object.entries(attacks)) {
      for (const status of [200, 403, 500]) {
        it(`${profile.name}: ${attack} at HTTP ${status}`, () => {
          const text = build(root, code);
          const asString: ResponseInput = {
            status,
            headers: { 'content-type': 'text/xml' },
            body: text,
          };
          const asBytes: ResponseInput = { ...asString, body: new TextEncoder().encode(text) };
          const expected = expectedByStatus[profile.name]![status];
          expect(profile.classify(asString)).toStrictEqual(expected);
          expect(profile.classify(asBytes)).toStrictEqual(expected);
        });
      }
    }
  }

  it('the attacks are real: fast-xml-parser with its defaults expands an entity in <code>', () => {
    // The control for the tests above: without this package's decoder the DOCTYPE would decide
    // the code, so the fallback above is the configuration's doing, not the document's.
    const text = attacks['entity in <code>'](vendors[0]!.root, '8');
    expect(new XMLParser().parse(text)).toMatchObject({ response: { error: { code: 8 } } });
  });
});
