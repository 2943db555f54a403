import axios from 'axios';
import axiosRetry, { exponentialDelay, isNetworkError } from 'axios-retry';
import ky from 'ky';
import pRetry, { AbortError } from 'p-retry';
import type { TransportCount } from '../support/vendor-call.ts';
import { versionOf } from '../support/versions.ts';
import { type BenchClient, type ClientFactory, expectSuccess } from './client.ts';
import { countingAxiosAdapter, countingFetch } from './transport.ts';

/** axios gives `data` as text with `responseType: 'text'`; anything else is stringified. */
function textOf(data: unknown): string {
  return typeof data === 'string' ? data : JSON.stringify(data ?? '');
}

/**
 * axios + axios-retry, as its README configures it for this job: 10 retries with
 * `exponentialDelay` (2^n × 100 ms plus 0–20%). Its default `retryCondition` retries only network
 * errors and 5xx/429 on idempotent methods, never a POST, so the user writes one that retries a
 * network error or a throttle; for a vendor with errors in 200 bodies, `validateResponse` sends
 * every body that is not a success through that check too.
 */
export const axiosRetryClient: ClientFactory = (call): BenchClient => {
  const count: TransportCount = { attempts: 0 };
  const api = axios.create({ adapter: countingAxiosAdapter(count), responseType: 'text' });
  axiosRetry(api, {
    retries: 10,
    retryDelay: exponentialDelay,
    retryCondition: (error) =>
      isNetworkError(error) ||
      (error.response !== undefined &&
        call.isThrottle(error.response.status, textOf(error.response.data))),
    validateResponse: call.errorsIn200
      ? (response) => call.failure(response.status, textOf(response.data)) === undefined
      : null,
  });
  return {
    name: `axios-retry ${versionOf('axios-retry')}`,
    setup: `retries 10, exponentialDelay, retryCondition: network or throttle${call.errorsIn200 ? ', validateResponse: body check' : ''}`,
    count,
    async send(index, signal) {
      const response = await api.request<string>({
        url: call.url,
        method: call.method,
        headers: { ...call.headers },
        data: call.body(index),
        signal,
      });
      expectSuccess(call, response.status, textOf(response.data));
    },
  };
};

/**
 * ky 2, as its README shows for retrying on the response: an `afterResponse` hook returns
 * `ky.retry()` for a throttle (a forced retry skips ky's method check, so a POST is retried), with
 * `retry: { limit: 10, jitter: true }` (full jitter over 0.3 × 2^(n−1) s).
 */
export const kyClient: ClientFactory = (call): BenchClient => {
  const count: TransportCount = { attempts: 0 };
  const api = ky.create({
    fetch: countingFetch(count),
    retry: { limit: 10, jitter: true },
    hooks: {
      afterResponse: [
        async ({ response }) =>
          call.isThrottle(response.status, await response.text()) ? ky.retry() : undefined,
      ],
    },
  });
  return {
    name: `ky ${versionOf('ky')}`,
    setup: 'retry: { limit: 10, jitter: true }, afterResponse: ky.retry() on a throttle',
    count,
    async send(index, signal) {
      const response = await api(call.url, {
        method: call.method,
        headers: call.headers,
        body: call.body(index),
        signal,
      });
      expectSuccess(call, response.status, await response.text());
    },
  };
};

/**
 * fetch + p-retry with its defaults (`retries: 10`, `minTimeout: 1000`, `factor: 2`, no
 * `randomize`): the task throws on a throttle so p-retry retries it, and throws `AbortError` on
 * any other failure so it does not.
 */
export const pRetryClient: ClientFactory = (call): BenchClient => {
  const count: TransportCount = { attempts: 0 };
  const fetch = countingFetch(count);
  return {
    name: `p-retry ${versionOf('p-retry')}`,
    setup: 'defaults: retries 10, minTimeout 1000, factor 2; throws on a throttle',
    count,
    async send(index, signal) {
      await pRetry(
        async () => {
          const response = await fetch(call.url, {
            method: call.method,
            headers: call.headers,
            body: call.body(index) ?? null,
            signal,
          });
          const text = await response.text();
          if (call.isThrottle(response.status, text)) {
            throw new Error(`throttled (HTTP ${response.status})`);
          }
          const failure = call.failure(response.status, text);
          if (failure !== undefined) throw new AbortError(failure);
        },
        { retries: 10, signal },
      );
    },
  };
};
