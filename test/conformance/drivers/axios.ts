import { attachTriage } from '@triage/axios';
import axios from 'axios';
import type { Driver } from './driver.ts';

/**
 * axios through `attachTriage(instance, options)`. axios turns any rejection after
 * `config.signal` aborted into its own `CanceledError`; the abort reason is its `cause`.
 */
export const axiosDriver: Driver = {
  name: 'axios',
  create(options) {
    const api = axios.create({ responseType: 'text' });
    attachTriage(api, options);
    return async ({ url, method, body, headers, signal, triage }) => {
      try {
        const res = await api.request<string>({ url, method, data: body, headers, signal, triage });
        return { status: res.status, text: res.data };
      } catch (error) {
        if (axios.isCancel(error) && error.cause !== undefined) throw error.cause;
        throw error;
      }
    };
  },
};
