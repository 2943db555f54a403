import { attachTriage } from '@triage/axios';
import type { TriageOptions } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { withTriage } from '@triage/ky';
import axios from 'axios';
import ky from 'ky';
import type { TransportCount } from '../support/vendor-call.ts';
import { type BenchClient, type ClientFactory, expectSuccess } from './client.ts';
import { countingAxiosAdapter, countingFetch } from './transport.ts';

/** triage's three adapters over the same options: what each benchmark compares. */
export interface TriageFactories {
  axios: ClientFactory;
  ky: ClientFactory;
  fetch: ClientFactory;
}

/**
 * The three adapters with the same `options` (and nothing else: no retry tuning, no per-request
 * options), each over a counting transport.
 */
export function triageClients(options: TriageOptions, setup: string): TriageFactories {
  return {
    axios(call): BenchClient {
      const count: TransportCount = { attempts: 0 };
      const api = axios.create({ adapter: countingAxiosAdapter(count), responseType: 'text' });
      attachTriage(api, options);
      return {
        name: 'triage + axios',
        setup,
        count,
        async send(index, signal) {
          const response = await api.request<string>({
            url: call.url,
            method: call.method,
            headers: { ...call.headers },
            data: call.body(index),
            signal,
          });
          expectSuccess(call, response.status, response.data);
        },
      };
    },
    ky(call): BenchClient {
      const count: TransportCount = { attempts: 0 };
      const api = withTriage(ky.create({ fetch: countingFetch(count) }), options);
      return {
        name: 'triage + ky',
        setup,
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
    },
    fetch(call): BenchClient {
      const count: TransportCount = { attempts: 0 };
      const triageFetch = createTriageFetch({ ...options, fetch: countingFetch(count) });
      return {
        name: 'triage + fetch',
        setup,
        count,
        async send(index, signal) {
          const response = await triageFetch(call.url, {
            method: call.method,
            headers: call.headers,
            body: call.body(index),
            signal,
          });
          expectSuccess(call, response.status, await response.text());
        },
      };
    },
  };
}
