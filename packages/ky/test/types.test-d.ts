import { defineVendor } from '@triage/core';
import { type TriageKyOptions, withTriage } from '@triage/ky';
import ky, { type KyInstance } from 'ky';
import { expectTypeOf, test } from 'vitest';

const vendor = defineVendor({ name: 'acme' });

test('withTriage takes the core options and returns a plain KyInstance', () => {
  expectTypeOf(withTriage(ky, { vendor })).toEqualTypeOf<KyInstance>();
  expectTypeOf<TriageKyOptions>().toHaveProperty('maxClassifyBytes');
});

test('`triage` is a typed ky option, per request and through .extend()', () => {
  const api = withTriage(ky, { vendor });
  api.get('https://example.com', { triage: { retry: false, idempotent: true } });
  api.extend({ triage: { retry: { retries: 1 } } });
  // @ts-expect-error: `retry` is a number, `false` or options
  api.get('https://example.com', { triage: { retry: 'twice' } });
  // @ts-expect-error: unknown triage option
  api.get('https://example.com', { triage: { retries: 2 } });
});
