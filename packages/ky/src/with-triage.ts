import {
  createEngine,
  MAX_CLASSIFY_BYTES,
  type TriageOptions,
  type TriageRequestOptions,
} from '@triage/core';
import type { BeforeRequestHook, InitHook, KyInstance } from 'ky';
import { type RequestSettings, readSettings } from './settings.ts';
import { createTriageFetch, type TriageKyContext } from './triage-fetch.ts';

declare module 'ky' {
  interface Options {
    /**
     * triage's options for this request (or, through `.extend()`, for every request of an
     * instance): retry limits, idempotency and an extra event listener.
     *
     * @example
     * ```ts
     * await api.post('orders', { json: order, triage: { idempotent: true, retry: 2 } });
     * ```
     */
    triage?: TriageRequestOptions;
  }
}

/**
 * Options of {@link withTriage}: the core options (`maxClassifyBytes` among them: classification
 * reads that much of a clone; the caller still gets the whole body).
 */
export type TriageKyOptions = TriageOptions;

/**
 * Where the `init` hook leaves a request's settings for the `beforeRequest` hook: ky hands both
 * the same per-request `context` object. An own enumerable symbol survives a later hook that
 * spreads `context`, and stays out of `Object.keys` and JSON.
 */
const SETTINGS: unique symbol = Symbol('triage.ky.settings');

/**
 * Puts triage in charge of one request. Runs on ky's merged options (instance defaults and the
 * request's own) before ky builds anything.
 */
function takeOver(options: Parameters<InitHook>[0], context: TriageKyContext): void {
  const settings = readSettings(options);
  options.context = { ...options.context, [SETTINGS]: settings };
  // The engine retries; ky must not retry the same failure again, nor time the engine's whole
  // run (backoff waits included) with a timeout meant for one attempt.
  options.retry = 0;
  options.timeout = false;
  options.fetch = createTriageFetch(context, settings);
  // ky forwards options it does not know to `fetch`; triage's stop here.
  delete options.triage;
}

/** Catches ky's normalized options, which `HTTPError` carries. */
const catchNormalized: BeforeRequestHook = ({ options }) => {
  const settings = (options.context as { [SETTINGS]?: RequestSettings })[SETTINGS];
  if (settings !== undefined) settings.normalized = options;
};

/**
 * Returns a ky instance whose requests are classified and retried by triage: every response
 * (errors inside 200 bodies too) and every network failure is classified with the vendor's
 * profile; retryable failures are retried under the vendor's policy; a failure rejects with a
 * `VendorError` whose `cause` is ky's `HTTPError`, `NetworkError` or `TimeoutError`; a success
 * resolves as usual (`.json()`, `.text()`).
 *
 * ky's own retry is set to 0 on every request, so ky and triage never both retry a failure.
 * ky's `timeout` applies to each attempt, and its `signal` aborts the request, backoff waits
 * included. Per-request options go in ky's options as `triage`. `.extend()` keeps triage.
 *
 * @example
 * ```ts
 * import ky from 'ky';
 * import { withTriage } from '@triage/ky';
 * import { co3 } from '@triage/vendors/co3';
 *
 * const api = withTriage(ky.create({ baseUrl: 'https://api.example.com/' }), {
 *   vendor: co3,
 *   retry: { retries: 3 },
 * });
 * const order = await api.post('orders', { json: { sku: 'A1' } }).json();
 * const again = await api.get('orders/1', { triage: { retry: false } }).json();
 * ```
 */
export function withTriage(kyInstance: KyInstance, options: TriageKyOptions): KyInstance {
  const context: TriageKyContext = {
    engine: createEngine(options),
    maxClassifyBytes: options.maxClassifyBytes ?? MAX_CLASSIFY_BYTES,
  };
  return kyInstance.extend({
    hooks: {
      init: [(kyOptions) => takeOver(kyOptions, context)],
      beforeRequest: [catchNormalized],
    },
  });
}
