import { createTriageFetch } from '@triage/fetch';
import type { Driver } from './driver.ts';

/** The fetch wrapper: `createTriageFetch(options)`. */
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
