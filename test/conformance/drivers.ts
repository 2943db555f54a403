import type { TriageOptions, TriageRequestOptions } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';

/** A request as every adapter is asked to make it. */
export interface DriverRequest {
  url: string;
  method: string;
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  triage?: TriageRequestOptions;
}

/** A success as every adapter reports it: the status and the body the caller can read. */
export interface DriverResult {
  status: number;
  text: string;
}

/** One adapter under test: makes a client from triage options and sends requests with it. */
export interface Driver {
  name: 'fetch' | 'axios' | 'ky';
  create(options: TriageOptions): (request: DriverRequest) => Promise<DriverResult>;
}

export const fetchDriver: Driver = {
  name: 'fetch',
  create(options) {
    const fetch = createTriageFetch(options);
    return async ({ url, method, body, headers, signal, triage }) => {
      const init: Parameters<typeof fetch>[1] = { method };
      if (body !== undefined) init.body = body;
      if (headers !== undefined) init.headers = headers;
      if (signal !== undefined) init.signal = signal;
      if (triage !== undefined) init.triage = triage;
      const res = await fetch(url, init);
      return { status: res.status, text: await res.text() };
    };
  },
};

/** Every adapter, in the order the suite runs them. */
export const drivers: Driver[] = [fetchDriver];
