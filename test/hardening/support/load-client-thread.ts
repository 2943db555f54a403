// One adapter's share of the load test, on its own thread (Node strips the types of this file
// and of the workspace's sources, found through the `@triage/source` condition): 10,000 requests
// at once through the adapter, then a summary for the test to check. Every rejection that is not
// a VendorError, and every unhandled rejection on this thread, is reported.
import { parentPort, workerData } from 'node:worker_threads';
import { attachTriage } from '@triage/axios';
import { isVendorError, type TriageOptions } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { withTriage } from '@triage/ky';
import { fonedynamics } from '@triage/vendors/fonedynamics';
import axios from 'axios';
import ky from 'ky';

/** What the test asks for. */
export interface LoadOrder {
  adapter: 'axios' | 'fetch' | 'ky';
  url: string;
  requests: number;
  inFlight: number;
  accountSid: string;
  propertySid: string;
  authorization: string;
}

/** What the thread reports. */
export interface LoadReport {
  seconds: number;
  /** Statuses of the requests that resolved. */
  resolved: Record<string, number>;
  /** VendorErrors by give-up reason. */
  failed: Record<string, number>;
  /** Rejections that were not VendorErrors, as text. */
  strays: string[];
  /** Unhandled rejections on this thread, as text. */
  unhandled: string[];
  /** Unkeyed writes sent: the most side effects they may have caused. */
  unkeyedWrites: number;
  events: number;
  /** Where `@triage/core` was loaded from: the sources, not a stale build. */
  core: string;
}

type Send = (request: {
  url: string;
  method: string;
  body?: string;
  headers: Record<string, string>;
}) => Promise<number>;

function client(adapter: LoadOrder['adapter'], options: TriageOptions): Send {
  switch (adapter) {
    case 'axios': {
      const api = axios.create({ responseType: 'text' });
      attachTriage(api, options);
      return async ({ url, method, body, headers }) =>
        (await api.request({ url, method, data: body, headers })).status;
    }
    case 'fetch': {
      const triageFetch = createTriageFetch(options);
      return async ({ url, method, body, headers }) => {
        const init = body === undefined ? { method, headers } : { method, headers, body };
        const response = await triageFetch(url, init);
        await response.arrayBuffer();
        return response.status;
      };
    }
    case 'ky': {
      const api = withTriage(ky.create({ timeout: false }), options);
      return async ({ url, method, body, headers }) => {
        const init = body === undefined ? { method, headers } : { method, headers, body };
        const response = await api(url, init);
        await response.arrayBuffer();
        return response.status;
      };
    }
  }
}

const order = workerData as LoadOrder;
const unhandled: string[] = [];
process.on('unhandledRejection', (reason) => {
  unhandled.push(String(reason));
});
let events = 0;
const send = client(order.adapter, {
  vendor: fonedynamics,
  retry: { retries: 2, minDelayMs: 5, maxDelayMs: 50, attemptTimeoutMs: 1_000 },
  // The rest wait in triage's queue before their attempt (and its timeout) starts, as a service
  // sending this many requests at once would configure it.
  limits: { concurrency: order.inFlight },
  onEvent: () => {
    events++;
  },
});

const started = performance.now();
let unkeyedWrites = 0;
const outcomes = await Promise.allSettled(
  Array.from({ length: order.requests }, (_, i) => {
    const headers: Record<string, string> = { authorization: order.authorization };
    if (i % 4 === 0 || i % 4 === 1) {
      headers['content-type'] = 'application/json';
      if (i % 4 === 1) headers['idempotency-key'] = `load-${order.adapter}-${i}`;
      else unkeyedWrites++;
      return send({
        url: `${order.url}/v2/Properties/${order.propertySid}/Messages`,
        method: 'POST',
        headers,
        body: JSON.stringify({ To: '+61400000000', Text: `message ${i}` }),
      });
    }
    return send({ url: `${order.url}/v2/Accounts/${order.accountSid}`, method: 'GET', headers });
  }),
);
const seconds = (performance.now() - started) / 1000;

const report: LoadReport = {
  seconds,
  resolved: {},
  failed: {},
  strays: [],
  unhandled,
  unkeyedWrites,
  events,
  core: import.meta.resolve('@triage/core'),
};
for (const outcome of outcomes) {
  if (outcome.status === 'fulfilled') {
    report.resolved[outcome.value] = (report.resolved[outcome.value] ?? 0) + 1;
  } else if (isVendorError(outcome.reason)) {
    const reason = String(outcome.reason.giveUpReason);
    report.failed[reason] = (report.failed[reason] ?? 0) + 1;
  } else {
    report.strays.push(String(outcome.reason));
  }
}
// Let any late rejection surface before reporting.
await new Promise((resolve) => setTimeout(resolve, 50));
parentPort?.postMessage(report);
