import type { TriageRequestOptions } from '@triage/core';
import type { NormalizedOptions, Options } from 'ky';
import { type BodyKind, bodyKind } from './request-body.ts';
import type { ParseJson } from './response-body.ts';

/** ky's `fetch` option. */
export type KyFetch = NonNullable<Options['fetch']>;

/** What triage takes over from one request's ky options, as the caller set them. */
export interface RequestSettings {
  /** The fetch ky would have called; `undefined` for the global one. */
  fetch: KyFetch | undefined;
  /** ky's per-attempt `timeout` in ms, or `false` for none. */
  timeout: number | false;
  /** The request's `triage` option. */
  triage: TriageRequestOptions | undefined;
  bodyKind: BodyKind;
  throwHttpErrors: boolean | ((status: number) => boolean);
  parseJson: ParseJson | undefined;
  /** ky's normalized options, caught by the `beforeRequest` hook, for `HTTPError.options`. */
  normalized?: Readonly<NormalizedOptions>;
}

/**
 * ky's default `timeout` (`@default 10000` in ky's `types/options.ts`), applied here because
 * triage sets ky's own to `false` and runs it per attempt instead.
 */
const KY_DEFAULT_TIMEOUT = 10_000;

/**
 * The settings behind each fetch triage installed, so a second `withTriage` can find the caller's.
 * A property of the fetch rather than a WeakMap entry: one fetch is made per request, and a
 * WeakMap entry per request costs the garbage collector more than the property.
 */
const SETTINGS: unique symbol = Symbol('triage.ky.installed');

type Installed = KyFetch & { [SETTINGS]?: RequestSettings };

/** Remembers what `fetch` stands in for. */
export function markInstalled(fetch: KyFetch, settings: RequestSettings): void {
  (fetch as Installed)[SETTINGS] = settings;
}

/**
 * Reads what triage takes over from ky's options. When triage is applied twice to one instance
 * family, the options already hold the inner triage's fetch: the caller's settings are its.
 */
export function readSettings(options: Options): RequestSettings {
  const previous = (options.fetch as Installed | undefined)?.[SETTINGS];
  return {
    fetch: previous === undefined ? options.fetch : previous.fetch,
    timeout: previous?.timeout ?? options.timeout ?? KY_DEFAULT_TIMEOUT,
    triage: options.triage ?? previous?.triage,
    bodyKind: bodyKind(options),
    throwHttpErrors: options.throwHttpErrors ?? true,
    parseJson: options.parseJson,
  };
}
