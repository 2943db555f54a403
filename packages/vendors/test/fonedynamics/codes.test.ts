import type { Classification, CodeRule } from '@triage/core';
import { fonedynamics } from '@triage/vendors/fonedynamics';
import { describe, expect, it } from 'vitest';
import { fonedynamicsStatuses } from '../../src/fonedynamics/codes.ts';
import { classificationRows, vendorPage } from '../research.ts';

const csv = classificationRows('fonedynamics');

/** The status a code most likely comes with; the page pairs none, and a code means the same on any. */
const STATUS: Record<string, number> = { FORBIDDEN: 403, ADDRESS_CANNOT_BE_DELETED: 403 };

function classifyWire(status: number, body: unknown) {
  return fonedynamics.classify({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
    method: 'POST',
  });
}

function envelope(code: string, message: string) {
  return { ResponseStatus: { ErrorCode: code, Message: message, Errors: [] } };
}

function expected(code: string, message: string, rule: Omit<CodeRule, 'when'>, status: number) {
  const result: Classification = {
    vendor: 'fonedynamics',
    category: rule.category,
    code,
    message,
    status,
    fields: [],
    effect: rule.effect!,
    source: 'response',
    reason: rule.reason,
  };
  if (rule.category === 'auth') result.refreshable = rule.refreshable === true;
  return result;
}

const rows = Object.entries(fonedynamics.codes).map(([code, entry]) => {
  if (Array.isArray(entry)) throw new Error(`${code}: Fone Dynamics codes have one meaning each`);
  const message = csv.find((row) => row.code === code)?.message ?? code;
  return { code, rule: entry as CodeRule, message, status: STATUS[code] ?? 400 };
});

describe('fonedynamics table', () => {
  it('has the 23 codes of the page, CONFLICTING_PARAMETERS, and four statuses', () => {
    expect(rows).toHaveLength(24);
    expect(Object.keys(fonedynamicsStatuses)).toEqual(['400', '401', '403', '500']);
  });

  it('states category, effect and a reason on every row, refreshable on every auth row', () => {
    for (const [code, rule] of [
      ...rows.map((r) => [r.code, r.rule] as const),
      ...Object.entries(fonedynamicsStatuses),
    ]) {
      expect(rule.effect, code).toMatch(/^(none|unknown)$/);
      expect(rule.reason.length, code).toBeGreaterThan(10);
      if (rule.category === 'auth') expect(typeof rule.refreshable, code).toBe('boolean');
    }
  });

  describe.each(rows)('$code', ({ code, rule, message, status }) => {
    it('classifies the ResponseStatus body', () => {
      expect(classifyWire(status, envelope(code, message))).toEqual(
        expected(code, message, rule, status),
      );
    });

    it('means the same on every documented status', () => {
      for (const other of [400, 401, 403, 500]) {
        expect(classifyWire(other, envelope(code, message))).toEqual(
          expected(code, message, rule, other),
        );
      }
    });

    it('classifies a body the client already parsed', () => {
      const result = fonedynamics.classify({ status, body: envelope(code, message) });
      expect(result).toEqual(expected(code, message, rule, status));
    });
  });

  describe.each(Object.entries(fonedynamicsStatuses))('HTTP %s', (status, rule) => {
    it('classifies a response without a known ErrorCode by its status', () => {
      const none = fonedynamics.classify({ status: Number(status), body: '' });
      expect(none).toEqual({
        ...expected('', `HTTP ${status}`, rule, Number(status)),
        code: undefined,
      });
      const unknown = classifyWire(Number(status), envelope('SOMETHING_NEW', 'New.'));
      expect(unknown).toEqual({
        ...expected('SOMETHING_NEW', 'New.', rule, Number(status)),
        reason: `unknown fonedynamics code; ${rule.reason}`,
      });
    });
  });

  it('covers every ErrorCode on the vendor page', () => {
    const page = [...vendorPage('fonedynamics-errors.txt').matchAll(/^\| ([A-Z_]+) \|/gm)].map(
      (m) => m[1]!,
    );
    expect(page).toHaveLength(23);
    for (const code of page) expect(fonedynamics.codes, code).toHaveProperty([code]);
  });

  it('has every classification.csv row and agrees with each', () => {
    expect(csv).toHaveLength(28);
    for (const row of csv) {
      const status = row.httpStatus ?? STATUS[row.code] ?? 400;
      const result = row.code.startsWith('HTTP ')
        ? fonedynamics.classify({ status, body: '' })
        : classifyWire(status, envelope(row.code, row.message));
      const label = `${row.code} ${row.message}`;
      expect(result?.category, label).toBe(row.category);
      expect(result?.code, label).toBe(row.code.startsWith('HTTP ') ? undefined : row.code);
      if (row.authKind !== '')
        expect(result?.refreshable, label).toBe(row.authKind === 'refreshable');
    }
  });
});
