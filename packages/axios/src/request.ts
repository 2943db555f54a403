import type { AttemptContext, AttemptRequest } from '@triage/core';
import axios, {
  type AxiosHeaders,
  type GenericAbortSignal,
  type InternalAxiosRequestConfig,
} from 'axios';

/** What one config stands for, as the engine sees it. */
export interface EngineView {
  method: string;
  /** The full URL: baseURL, url and params as axios would send them. */
  url: URL;
  /** Made on first use: a request that succeeds without `auth` never needs them. */
  headers: () => Headers;
  /** The body when `auth.apply` can read and rewrite it: text or bytes. */
  body: string | Uint8Array | undefined;
  replayable: true | string;
}

/**
 * The request as axios will send it. At adapter level `config.data` has been through
 * `transformRequest` already (a JSON string, bytes, FormData, a stream), so nothing is serialized
 * twice when attempts replay it (softonic/axios-retry#48, #295).
 */
export function engineView(config: InternalAxiosRequestConfig): EngineView | undefined {
  const url = fullUrl(config);
  if (url === undefined) return undefined;
  return {
    method: (config.method ?? 'get').toUpperCase(),
    url,
    headers: once(() => toHeaders(config)),
    body: applicableBody(config.data),
    replayable: replayability(config.data),
  };
}

// No defaults of its own: the config is merged already, and merging it again with an instance's
// defaults could bring back a default param the request removed.
const bare = new axios.Axios({});

/** An absolute http(s) URL that `buildFullPath` and `buildURL` would return as it is. */
const PLAIN_URL = /^https?:\/\//i;

function fullUrl(config: InternalAxiosRequestConfig): URL | undefined {
  try {
    // An absolute URL without `baseURL` or `params`: `getUri` would return it unchanged, after
    // `mergeConfig`, which costs microseconds on every request.
    if (
      config.baseURL === undefined &&
      config.params === undefined &&
      typeof config.url === 'string' &&
      PLAIN_URL.test(config.url)
    ) {
      return new URL(config.url);
    }
    // Only what the URL is built from: `getUri` merges its argument as a whole config first.
    const uri = bare.getUri({
      baseURL: config.baseURL,
      url: config.url,
      allowAbsoluteUrls: config.allowAbsoluteUrls,
      params: config.params,
      paramsSerializer: config.paramsSerializer,
    });
    // A browser resolves a relative URL against the page, as xhr and fetch do.
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    return new URL(uri, base);
  } catch {
    // A URL axios cannot send either: axios reports it in its own words.
    return undefined;
  }
}

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

function toHeaders(config: InternalAxiosRequestConfig): Headers {
  const headers = new Headers();
  // toJSON leaves out the `false` and `null` values that mean "do not send this header".
  for (const [name, value] of Object.entries(config.headers.toJSON(true))) {
    try {
      headers.append(name, String(value));
    } catch {
      // A name or value `Headers` refuses (non-Latin-1): axios still sends it, auth cannot see it.
    }
  }
  return headers;
}

function applicableBody(data: unknown): string | Uint8Array | undefined {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return undefined;
}

function replayability(data: unknown): true | string {
  if (data === null || typeof data !== 'object') return true;
  // Node streams (the `form-data` package included); spec FormData and Blob are re-read per attempt.
  if (typeof (data as { pipe?: unknown }).pipe === 'function') {
    return 'the request body is a stream, which can be read only once';
  }
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) {
    return 'the request body is a ReadableStream, which can be read only once';
  }
  return true;
}

/** What the attempts of one call share: the headers as axios built them, before any adapter ran. */
export interface AttemptHeaders {
  pristine?: AxiosHeaders;
}

/**
 * The config for one attempt. The first, when it is the request exactly as axios built it (no
 * `auth.apply`, no signal of triage's own), is axios's config itself (axios's merged copy, never
 * the caller's object), as without triage: copying it costs microseconds on every request, as V8
 * copies a dictionary-mode object slowly. Its headers are kept first, so that a retry starts from
 * them and not from what the adapter added (Content-Length, User-Agent). Every other attempt gets a
 * shallow copy with its own headers, so neither the adapter's additions nor `auth.apply`'s changes
 * leak into the next attempt.
 */
export function attemptConfig(
  config: InternalAxiosRequestConfig,
  view: EngineView,
  request: AttemptRequest,
  original: InternalAxiosRequestConfig['adapter'],
  context: AttemptContext,
  kept: AttemptHeaders,
): InternalAxiosRequestConfig {
  if (context.attempt === 1 && !context.changed && context.signal === config.signal) {
    kept.pristine = config.headers.concat();
    // A config taken from a response or an error and sent again goes through triage once more.
    config.adapter = original;
    return config;
  }
  const copy = shallowCopy(config);
  copy.adapter = original;
  copy.headers = (kept.pristine ?? config.headers).concat();
  if (context.signal !== undefined) copy.signal = context.signal;
  // Without `auth.apply` the attempt is the request as axios built it.
  if (!context.changed) return copy;
  if (request.method !== view.method) copy.method = request.method.toLowerCase();
  if (request.url.href !== view.url.href) {
    copy.url = request.url.href;
    copy.baseURL = undefined;
    copy.params = undefined;
    copy.allowAbsoluteUrls = true;
  }
  const headers = view.headers();
  for (const [name, value] of request.headers) {
    if (headers.get(name) !== value) copy.headers.set(name, value, true);
  }
  for (const name of headers.keys()) {
    if (!request.headers.has(name)) copy.headers.delete(name);
  }
  if (request.body !== view.body) {
    copy.data = typeof request.body === 'string' ? request.body : toArrayBuffer(request.body);
    copy.headers.delete('content-length');
  }
  return copy;
}

/**
 * `{ ...config }`, as a loop: axios's merged config is a dictionary-mode object, which V8 spreads
 * several times slower (microseconds, on every attempt).
 */
function shallowCopy(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig {
  const source = config as unknown as Record<PropertyKey, unknown>;
  const copy: Record<PropertyKey, unknown> = {};
  for (const key of Object.keys(source)) copy[key] = source[key];
  for (const symbol of Object.getOwnPropertySymbols(source)) {
    if (Object.prototype.propertyIsEnumerable.call(source, symbol)) copy[symbol] = source[symbol];
  }
  return copy as unknown as InternalAxiosRequestConfig;
}

// Every axios adapter accepts an ArrayBuffer; only http accepts a Buffer.
function toArrayBuffer(bytes: Uint8Array | undefined): ArrayBuffer | undefined {
  if (bytes === undefined) return undefined;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** The caller's cancellation as one `AbortSignal`, and how to stop listening afterwards. */
export interface CallerSignal {
  signal: AbortSignal | undefined;
  release(): void;
}

/**
 * Joins `config.signal` (any object with axios's `GenericAbortSignal` shape) and the legacy
 * `config.cancelToken` into one `AbortSignal`, so the engine stops a pending wait on either.
 */
export function callerSignal(config: InternalAxiosRequestConfig): CallerSignal {
  const given = config.signal;
  const token = config.cancelToken;
  if (token === undefined && (given === undefined || given instanceof AbortSignal)) {
    return { signal: given, release: () => {} };
  }
  const controller = new AbortController();
  const releases: (() => void)[] = [];
  if (given !== undefined) releases.push(follow(given, controller));
  if (token !== undefined) {
    if (token.reason !== undefined) controller.abort(token.reason);
    const onCancel = (reason: unknown): void => controller.abort(reason);
    token.subscribe(onCancel);
    releases.push(() => token.unsubscribe(onCancel));
  }
  return {
    signal: controller.signal,
    release: () => {
      for (const release of releases) release();
    },
  };
}

// axios's own adapters call `addEventListener` on any signal they are given; so does this.
function follow(source: GenericAbortSignal, controller: AbortController): () => void {
  const reasonOf = (): unknown => (source as { reason?: unknown }).reason;
  if (source.aborted) {
    controller.abort(reasonOf());
    return () => {};
  }
  const onAbort = (): void => controller.abort(reasonOf());
  source.addEventListener?.('abort', onAbort, { once: true });
  return () => source.removeEventListener?.('abort', onAbort);
}
