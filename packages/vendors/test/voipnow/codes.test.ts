import type { Classification, CodeRule } from '@triage/core';
import { voipnow } from '@triage/vendors/voipnow';
import { describe, expect, it } from 'vitest';
import { classificationRows, vendorPage } from '../research.ts';

const csv = classificationRows('voipnow_unifiedapi');

/** Statuses of the rows that are not on the page (older pages' spellings). */
const ALIAS_STATUS: Record<string, number> = {
  pcet_type_invalid: 400,
  access_denided: 401,
  request_not_implemented: 501,
};

function classifyWire(code: string, message: string, status: number) {
  return voipnow.classify({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { code, message } }),
    method: 'GET',
  });
}

function expected(code: string, message: string, rule: CodeRule, status: number): Classification {
  return {
    vendor: 'voipnow',
    category: rule.category,
    code,
    message,
    status,
    fields: [],
    effect: rule.effect!,
    source: 'response',
    reason: rule.reason,
    ...(rule.category === 'auth' ? { refreshable: rule.refreshable === true } : {}),
    ...(rule.retry === undefined ? {} : { retry: rule.retry }),
  };
}

const rows = Object.entries(voipnow.codes).map(([code, entry]) => {
  if (Array.isArray(entry)) throw new Error(`${code}: voipnow codes have one meaning each`);
  const page = csv.find((row) => row.code === code);
  const status = page?.httpStatus ?? ALIAS_STATUS[code];
  if (status === undefined) throw new Error(`${code}: no status on the page or in ALIAS_STATUS`);
  return { code, rule: entry as CodeRule, message: page?.message ?? `UnifiedAPI ${code}`, status };
});

describe('voipnow table', () => {
  it('has the 70 codes of the page and three older spellings', () => {
    expect(rows).toHaveLength(73);
  });

  it('states category, effect and a reason on every row, refreshable on every auth row', () => {
    for (const { code, rule } of rows) {
      expect(rule.effect, code).toMatch(/^(none|unknown)$/);
      expect(rule.reason.length, code).toBeGreaterThan(10);
      if (rule.category === 'auth') expect(typeof rule.refreshable, code).toBe('boolean');
    }
  });

  describe.each(rows)('$status $code', ({ code, rule, message, status }) => {
    it('classifies the error body on its documented status', () => {
      expect(classifyWire(code, message, status)).toEqual(expected(code, message, rule, status));
    });

    it('means the same whatever the status', () => {
      expect(classifyWire(code, message, 200)).toEqual(expected(code, message, rule, 200));
    });

    it('classifies a body the client already parsed', () => {
      const result = voipnow.classify({ status, body: { error: { code, message } } });
      expect(result).toEqual(expected(code, message, rule, status));
    });
  });

  it('covers every code on the vendor page, each once', () => {
    const page = [...vendorPage('voipnow-unifiedapi-errors.txt').matchAll(/^([a-z_]+) \|/gm)].map(
      (m) => m[1]!,
    );
    expect(page).toHaveLength(74);
    expect(new Set(page).size).toBe(70);
    for (const code of page) expect(voipnow.codes, code).toHaveProperty([code]);
  });

  it('has every classification.csv row, and says why wherever it decides differently', () => {
    expect(csv).toHaveLength(74);
    for (const row of csv) {
      const result = classifyWire(row.code, row.message, row.httpStatus ?? 0);
      const label = `${row.code} ${row.message}`;
      expect(result?.code, label).toBe(row.code);
      expect(result?.message, label).toBe(row.message);
      if (result?.category !== row.category)
        expect(result?.reason, label).toContain('Differs from classification.csv');
      if (row.authKind !== '')
        expect(result?.refreshable, label).toBe(row.authKind === 'refreshable');
    }
  });

  it('departs from classification.csv only for the qag_fail_update codes', () => {
    const differing = csv
      .filter((row) => classifyWire(row.code, row.message, 400)?.category !== row.category)
      .map((row) => row.code);
    expect(differing).toEqual(['qag_fail_update', 'qag_fail_update_number']);
  });
});
