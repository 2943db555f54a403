import { withTriage } from '@triage/ky';
import ky from 'ky';
import type { Driver } from './driver.ts';

/** ky 2 through `withTriage(ky, options)`, with ky's defaults otherwise (its own retry included). */
export const kyDriver: Driver = {
  name: 'ky',
  create(options) {
    const api = withTriage(ky.create(), options);
    return async ({ url, method, body, headers, signal, triage }) => {
      const res = await api(url, {
        method,
        ...(body === undefined ? {} : { body }),
        ...(headers === undefined ? {} : { headers }),
        ...(signal === undefined ? {} : { signal }),
        ...(triage === undefined ? {} : { triage }),
      });
      return { status: res.status, text: await res.text() };
    };
  },
};
