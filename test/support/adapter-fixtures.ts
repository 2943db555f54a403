// What the fetch, ky and axios adapter tests share: one small vendor, a scripted JSON answer, and
// the helpers that await a rejection.
import { defineVendor, isVendorError, type VendorError, type VendorProfile } from '@triage/core';
import type { ScriptedResponse } from '@triage/testing/node';

/** A vendor that reports errors inside 200 bodies: `{ "fault": "CODE" }`. */
export const acme: VendorProfile = defineVendor({
  name: 'acme',
  codes: {
    BUSY: {
      category: 'retryable',
      effect: 'none',
      throttle: true,
      reason: 'busy',
      retry: { minDelayMs: 1000 },
    },
    EXPIRED: { category: 'auth', refreshable: true, reason: 'expired' },
    BAD: { category: 'validation', reason: 'bad' },
  },
  detect: (view) => {
    const body = view.json() as { fault?: string; field?: string } | undefined;
    if (body?.fault === undefined) return undefined;
    return {
      code: body.fault,
      message: `fault ${body.fault}`,
      fields: body.field ? [{ name: body.field }] : [],
    };
  },
});

/** A scripted answer with a JSON body. */
export const json = (status: number, value: unknown): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

/** What the promise rejected with; an `Error` when it fulfilled instead. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
}

/** The `VendorError` the promise rejected with; anything else is thrown. */
export async function vendorRejection(promise: Promise<unknown>): Promise<VendorError> {
  const error = await rejection(promise);
  if (!isVendorError(error)) throw error;
  return error;
}
