import type { Classification, CodeRule } from '@triage/core';
import { describe, expect, it } from 'vitest';
import { CO3_CODES, CO3_FIELD_CODES, co3 } from '../../src/co3/index.ts';
import { classificationRows, vendorPage } from '../research.ts';

/** The page's codes and messages: lines like `  • 8 => Too many requests…`. */
function pageCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const line of vendorPage('co3-errors.txt').split('\n')) {
    const item = line.trim();
    if (!item.startsWith('•')) continue;
    const arrow = item.indexOf('=>');
    if (arrow === -1) continue;
    codes.set(item.slice(1, arrow).trim(), item.slice(arrow + 2).trim());
  }
  return codes;
}

const page = pageCodes();
const rows = Object.entries(CO3_CODES);

/** A CO3 error as the error-handling page shows it. */
function errorBody(code: string, description: string): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<response>',
    '    <error>',
    `        <code>${code}</code>`,
    `        <description><![CDATA[${description}]]></description>`,
    '    </error>',
    '</response>',
    '',
  ].join('\n');
}

/** For field-rule codes the detector reads the field after the colon; give it one. */
function descriptionFor(code: string): string {
  const text = page.get(code) ?? `code ${code}`;
  if (!CO3_FIELD_CODES.has(code)) return text;
  return text.endsWith(':') ? `${text} contact_price` : `${text}: contact_price`;
}

function expected(code: string, rule: CodeRule, status: number): Classification {
  const message = descriptionFor(code);
  const result: Classification = {
    vendor: 'co3',
    category: rule.category,
    code,
    message,
    status,
    fields: CO3_FIELD_CODES.has(code) ? [{ name: 'contact_price', message, code }] : [],
    effect: 'none',
    source: 'response',
    reason: rule.reason,
  };
  if (rule.category === 'auth') result.refreshable = rule.refreshable === true;
  if (rule.throttle === true) result.throttle = true;
  if (rule.retry !== undefined) result.retry = rule.retry;
  return result;
}

describe('the CO3 table', () => {
  it('has exactly the codes of the vendor page', () => {
    expect(page.size).toBe(59);
    expect(new Set(Object.keys(CO3_CODES))).toStrictEqual(new Set(page.keys()));
  });

  it('has every row of classification.csv, and says so where it decides differently', () => {
    const research = classificationRows('co3');
    expect(research).toHaveLength(59);
    for (const row of research) {
      const rule = CO3_CODES[row.code];
      expect(rule, `code ${row.code}`).toBeDefined();
      const same =
        rule?.category === row.category &&
        (row.category !== 'auth' ||
          (rule.refreshable === true) === (row.authKind === 'refreshable'));
      if (!same) expect(rule?.reason, `code ${row.code}`).toContain('classification.csv');
    }
  });

  it('cites the vendor page in every reason', () => {
    for (const [code, rule] of rows) expect(rule.reason, code).toMatch(/^page: "/);
  });
});

describe('every CO3 code through classify()', () => {
  it.each(rows)('code %s as a string body (HTTP 200)', (code, rule) => {
    const body = errorBody(code, descriptionFor(code));
    const input = { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body };
    expect(co3.classify(input)).toStrictEqual(expected(code, rule, 200));
  });

  it.each(rows)('code %s as a bytes body (HTTP 500)', (code, rule) => {
    const body = new TextEncoder().encode(errorBody(code, descriptionFor(code)));
    const input = { status: 500, headers: { 'content-type': 'text/xml' }, body };
    expect(co3.classify(input)).toStrictEqual(expected(code, rule, 500));
  });
});

describe('the CO3 codes that drive retries, spelled out', () => {
  const body = (code: string, text: string) => errorBody(code, text);

  it('8: retryable throttle, at least 1 s apart, nothing saved', () => {
    const text = 'Too many requests in the same time. Please try later!';
    expect(co3.classify({ status: 429, body: body('8', text) })).toStrictEqual({
      vendor: 'co3',
      category: 'retryable',
      code: '8',
      message: text,
      status: 429,
      fields: [],
      effect: 'none',
      throttle: true,
      retry: { minDelayMs: 1000 },
      source: 'response',
      reason: CO3_CODES['8']!.reason,
    });
  });

  it.each([
    ['6', 'Invalid session key'],
    ['10', 'Your session key is expired. Please authenticate again!'],
  ])('%s: auth, refreshable', (code, text) => {
    expect(co3.classify({ status: 200, body: body(code, text) })).toMatchObject({
      category: 'auth',
      refreshable: true,
      effect: 'none',
      code,
      message: text,
    });
  });

  it.each(['5', '7', '9', '18'])('%s: auth, not refreshable', (code) => {
    expect(co3.classify({ status: 200, body: body(code, 'x') })).toMatchObject({
      category: 'auth',
      refreshable: false,
    });
  });

  it('202: retryable at most twice', () => {
    expect(co3.classify({ status: 200, body: body('202', 'Database query error') })).toMatchObject({
      category: 'retryable',
      retry: { retries: 2 },
      effect: 'none',
    });
    expect(co3.classify({ status: 200, body: body('202', 'x') })?.throttle).toBeUndefined();
  });

  it('exposes the documented rate on the profile', () => {
    expect(co3.rate).toStrictEqual({ requests: 2, perMs: 1000 });
    expect(co3.name).toBe('co3');
  });
});
