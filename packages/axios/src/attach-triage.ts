import {
  createEngine,
  type Engine,
  MAX_CLASSIFY_BYTES,
  type TriageOptions,
  type TriageRequestOptions,
} from '@triage/core';
import type { AxiosAdapter, AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import {
  type AdapterSpec,
  canceledError,
  createTriageAdapter,
  unwrapAdapter,
} from './triage-adapter.ts';

declare module 'axios' {
  // The type parameters must repeat axios's own (`<D, P>` since axios 1.19) for the merge.
  // biome-ignore lint/suspicious/noExplicitAny: axios declares these defaults as `any`
  interface AxiosRequestConfig<D = any, P = any> {
    /**
     * triage's options for this request: retries, idempotency, an extra event listener. Also
     * accepted in `instance.defaults.triage`.
     * @example
     * ```ts
     * await api.post('/charges', body, { triage: { retry: false } });
     * ```
     */
    triage?: TriageRequestOptions;
  }
}

/**
 * Options of {@link attachTriage}: the core options (`maxClassifyBytes` among them: axios buffers
 * the whole body for the caller; classification never parses more than that of it).
 */
export type TriageAxiosOptions = TriageOptions;

/** One attachment: its engine and its read limit. */
interface Attachment {
  engine: Engine;
  maxClassifyBytes: number;
  /**
   * Its triage adapter for each adapter a config names (nearly always one: axios's default list),
   * made once rather than on every request.
   */
  adapters: WeakMap<AxiosAdapter, AxiosAdapter>;
  named: Map<string | undefined, AxiosAdapter>;
}

/**
 * The attachment's triage adapter in front of `original`. A list of names is kept by its names:
 * axios copies the default list (`['xhr', 'http', 'fetch']`) into every request's config.
 */
function adapterFor(attachment: Attachment, original: AdapterSpec): AxiosAdapter {
  const name = adapterName(original);
  let adapter =
    typeof original === 'function'
      ? attachment.adapters.get(original)
      : name === null
        ? undefined
        : attachment.named.get(name);
  if (adapter === undefined) {
    adapter = createTriageAdapter(attachment.engine, original, attachment.maxClassifyBytes);
    if (typeof original === 'function') attachment.adapters.set(original, adapter);
    else if (name !== null) attachment.named.set(name, adapter);
  }
  return adapter;
}

/** A key for a spec made of names only (`undefined` for none); `null` for any other list. */
function adapterName(spec: AdapterSpec): string | undefined | null {
  if (spec === undefined || typeof spec === 'string') return spec;
  if (!Array.isArray(spec) || !spec.every((item) => typeof item === 'string')) return null;
  // A separator no adapter name contains, so a list never collides with a single name.
  return `[${spec.join('\u0000')}]`;
}

/** The attachments of one instance: one interceptor, the newest attachment in charge. */
interface Registry {
  interceptor: number;
  attachments: Attachment[];
}

const registries = new WeakMap<AxiosInstance, Registry>();

/**
 * Attaches triage to an axios instance: every response is classified (errors inside 200 bodies
 * too) and so is every axios error (HTTP status, network, timeout); retryable failures are retried
 * under the vendor's policy; a failure rejects with a `VendorError` whose `cause` is the
 * `AxiosError` (or, for an error inside a 200 body, the `AxiosResponse`) and whose `response` is
 * the `AxiosResponse`.
 *
 * Retries happen below the interceptors and transforms: each runs once per call, the caller's
 * config is never changed, and the request body is serialized once. Attaching again to the same
 * instance replaces the options (retries never multiply); detaching restores the previous ones,
 * and plain axios after the last.
 *
 * @param instance - `axios` itself or an instance from `axios.create()`.
 * @param options - The vendor profile(s), retry limits, auth hooks, events and `maxClassifyBytes`.
 * @returns A function that detaches triage from the instance.
 *
 * @example
 * ```ts
 * import axios from 'axios';
 * import { attachTriage } from '@triage/axios';
 * import { isVendorError } from '@triage/core';
 * import { convio } from '@triage/vendors/convio';
 *
 * const api = axios.create({ baseURL: 'https://secure.example.org/site' });
 * const detach = attachTriage(api, { vendor: convio, retry: { retries: 2 } });
 *
 * try {
 *   const { data } = await api.post('/CRConsAPI', params, { triage: { idempotent: true } });
 * } catch (error) {
 *   if (isVendorError(error) && error.category === 'validation') showFields(error.fields);
 *   else throw error;
 * }
 * detach();
 * ```
 */
export function attachTriage(instance: AxiosInstance, options: TriageAxiosOptions): () => void {
  const attachment: Attachment = {
    engine: createEngine(options),
    maxClassifyBytes: options.maxClassifyBytes ?? MAX_CLASSIFY_BYTES,
    adapters: new WeakMap(),
    named: new Map(),
  };
  let registry = registries.get(instance);
  if (registry === undefined) {
    const attachments: Attachment[] = [];
    const interceptor = instance.interceptors.request.use(
      (config: InternalAxiosRequestConfig) => {
        const active = attachments.at(-1);
        if (active === undefined) return config;
        // axios rejects a request whose signal aborted before it was sent with a bare
        // CanceledError, before any adapter runs: reported here like any other abort, reason kept.
        const signal = config.signal as { aborted?: boolean; reason?: unknown } | undefined;
        if (signal?.aborted === true) throw canceledError(signal.reason, config);
        // `config` is axios's merged copy, never the caller's object.
        config.adapter = adapterFor(active, unwrapAdapter(config.adapter));
        return config;
      },
      undefined,
      // Synchronous, so attaching triage never turns a synchronous interceptor chain asynchronous.
      { synchronous: true },
    );
    registry = { interceptor, attachments };
    registries.set(instance, registry);
  }
  const attached = registry;
  attached.attachments.push(attachment);
  let detached = false;
  return function detach(): void {
    if (detached) return;
    detached = true;
    attached.attachments.splice(attached.attachments.indexOf(attachment), 1);
    if (attached.attachments.length > 0) return;
    instance.interceptors.request.eject(attached.interceptor);
    registries.delete(instance);
  };
}
