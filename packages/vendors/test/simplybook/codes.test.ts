import type { Classification, CodeRule, FieldError } from '@triage/core';
import { simplybook } from '@triage/vendors/simplybook';
import { describe, expect, it } from 'vitest';
import { classificationRows, vendorPage } from '../research.ts';

const csv = classificationRows('simplybook');

/** A message that picks each variant of a multi-variant row, in table order. */
const VARIANT_MESSAGES: Record<string, string[]> = {
  '-32600': ['Access denied', 'Company does not exists', 'Invalid Request'],
};

/** The client-data field each code is about (the error itself names none). */
const CLIENT_FIELDS: Record<string, string> = {
  '-32061': 'name',
  '-32062': 'email',
  '-32063': 'phone',
};

function rpcError(code: string | number, message: string): string {
  return JSON.stringify({ error: { code, message }, id: '2126711093', jsonrpc: '2.0' });
}

function classifyWire(code: string | number, message: string, status = 200) {
  return simplybook.classify({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: rpcError(code, message),
    method: 'POST',
  });
}

function expected(
  code: string | number,
  message: string,
  rule: CodeRule,
  status = 200,
): Classification {
  const fieldName = CLIENT_FIELDS[String(code)];
  const fields: FieldError[] =
    fieldName === undefined ? [] : [{ name: fieldName, code: String(code), message }];
  return {
    vendor: 'simplybook',
    category: rule.category,
    code,
    message,
    status,
    fields,
    effect: rule.effect!,
    source: 'response',
    reason: rule.reason,
    ...(rule.category === 'auth' ? { refreshable: rule.refreshable === true } : {}),
    ...(rule.retry === undefined ? {} : { retry: rule.retry }),
  };
}

const rows = Object.entries(simplybook.codes).flatMap(([code, entry]) => {
  const variants: readonly CodeRule[] = Array.isArray(entry) ? entry : [entry as CodeRule];
  const messages = VARIANT_MESSAGES[code];
  if (Array.isArray(entry) && messages?.length !== variants.length)
    throw new Error(`VARIANT_MESSAGES needs one message per variant of ${code}`);
  const pageMessage = csv.find((row) => row.code === code)?.message ?? `SimplyBook error ${code}`;
  return variants.map((rule, index) => ({
    code,
    rule,
    message: messages?.[index] ?? pageMessage,
  }));
});

describe('simplybook table', () => {
  it('has 39 codes, -32600 with three variants', () => {
    expect(Object.keys(simplybook.codes)).toHaveLength(39);
    expect(rows).toHaveLength(41);
  });

  it('states category, effect and a reason on every row, refreshable on every auth row', () => {
    for (const { code, rule } of rows) {
      expect(rule.effect, code).toMatch(/^(none|unknown)$/);
      expect(rule.reason.length, code).toBeGreaterThan(10);
      if (rule.category === 'auth') expect(typeof rule.refreshable, code).toBe('boolean');
    }
  });

  describe.each(rows)('$code: $message', ({ code, rule, message }) => {
    it('classifies the code sent as a string', () => {
      expect(classifyWire(code, message)).toEqual(expected(code, message, rule));
    });

    it('classifies the code sent as a number', () => {
      expect(classifyWire(Number(code), message)).toEqual(expected(Number(code), message, rule));
    });

    it('classifies it the same on a non-200 status', () => {
      expect(classifyWire(code, message, 500)).toEqual(expected(code, message, rule, 500));
    });
  });

  it('covers every code on the vendor page, -3264 also as -32064', () => {
    const page = [...vendorPage('simplybook-errors.txt').matchAll(/• (-\d+)/g)].map((m) => m[1]);
    expect(page).toHaveLength(38);
    for (const code of [...page, '-32064']) expect(simplybook.codes, code).toHaveProperty([code!]);
  });

  it('has every classification.csv row, and says why wherever it decides differently', () => {
    expect(csv).toHaveLength(40);
    for (const row of csv) {
      const result = classifyWire(row.code, row.message);
      const label = `${row.code} ${row.message}`;
      expect(result?.code, label).toBe(row.code);
      if (result?.category !== row.category)
        expect(result?.reason, label).toContain('Differs from classification.csv');
      if (row.authKind !== '')
        expect(result?.refreshable, label).toBe(row.authKind === 'refreshable');
    }
  });

  it('departs from classification.csv only for -32603', () => {
    const differing = csv
      .filter((row) => classifyWire(row.code, row.message)?.category !== row.category)
      .map((row) => row.code);
    expect(differing).toEqual(['-32603']);
  });
});
