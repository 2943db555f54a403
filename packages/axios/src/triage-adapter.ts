import type { Engine, ResponseInput } from '@triage/core';
import axios, {
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { type AttemptHeaders, attemptConfig, callerSignal, engineView } from './request.ts';
import { adoptParsed, release, responseInput } from './response.ts';

/** What `config.adapter` holds: a name, an adapter, a list of either, or nothing. */
export type AdapterSpec = InternalAxiosRequestConfig['adapter'];

// Symbol.for: a copy of this package loaded twice (ESM and CJS) still recognises the mark.
const ORIGINAL: unique symbol = Symbol.for('triage.axios.original') as never;

interface TriageAdapter extends AxiosAdapter {
  readonly [ORIGINAL]: AdapterSpec;
}

function isTriageAdapter(value: unknown): value is TriageAdapter {
  return typeof value === 'function' && ORIGINAL in value;
}

/**
 * The adapter a config stood for before triage wrapped it. A config that already went through
 * triage (taken from a response or an error and sent again) is wrapped once, never twice.
 */
export function unwrapAdapter(spec: AdapterSpec): AdapterSpec {
  let current = spec;
  while (isTriageAdapter(current)) current = current[ORIGINAL];
  return current;
}

/**
 * An adapter that runs one request through the engine, each attempt calling the adapter axios
 * would have used with a fresh copy of the config. Interceptors and transforms stay outside: they
 * run once per call however many attempts it takes (softonic/axios-retry#246).
 */
export function createTriageAdapter(
  engine: Engine,
  original: AdapterSpec,
  maxClassifyBytes: number,
): AxiosAdapter {
  async function triageAdapter(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    // Resolved as dispatchRequest resolves it (`||` included); the fetch adapter's availability
    // depends on the config.
    const adapter = axios.getAdapter(original || axios.defaults.adapter, config);
    const view = engineView(config);
    if (view === undefined) return adapter(config);
    const caller = callerSignal(config);
    const triage = config.triage;
    // What the last attempt's response was classified from: the one that succeeds, if any.
    let last: { response: AxiosResponse; input: ResponseInput } | undefined;
    const kept: AttemptHeaders = {};
    try {
      const response = await engine.execute<AxiosResponse>({
        method: view.method,
        url: view.url,
        headers: view.headers,
        body: view.body,
        replayable: view.replayable,
        signal: caller.signal,
        // Every per-request option passes through as is: retry, idempotent, onEvent, limits.
        ...triage,
        async send(request, context) {
          const attempt = attemptConfig(config, view, request, original, context, kept);
          try {
            const response = await adapter(attempt);
            last = { response, input: responseInput(response, maxClassifyBytes) };
            return last;
          } catch (error) {
            // validateStatus rejections carry the response: classify it, not the rejection.
            const response = axios.isAxiosError(error) ? error.response : undefined;
            if (response === undefined) return { error };
            return { error, response, input: responseInput(response, maxClassifyBytes) };
          }
        },
        discard(outcome) {
          release(outcome.response);
        },
      });
      if (response === last?.response) adoptParsed(response, last.input);
      return response;
    } catch (error) {
      throw asCancel(error, caller.signal, config);
    } finally {
      caller.release();
    }
  }
  return Object.defineProperty(triageAdapter, ORIGINAL, { value: original }) as AxiosAdapter;
}

/**
 * The caller's own abort as axios reports it: a `CanceledError` (so `axios.isCancel` holds), with
 * the abort reason as its `cause`. axios's dispatchRequest would turn any other rejection into a
 * bare `CanceledError` once `config.signal` has aborted, losing the reason.
 */
function asCancel(
  error: unknown,
  signal: AbortSignal | undefined,
  config: InternalAxiosRequestConfig,
): unknown {
  if (signal === undefined || !signal.aborted || error !== signal.reason) return error;
  if (axios.isCancel(error)) return error;
  return canceledError(error, config);
}

/** A `CanceledError` whose `cause` is the abort reason. */
export function canceledError(reason: unknown, config: InternalAxiosRequestConfig): Error {
  const canceled = new axios.CanceledError(undefined, config);
  Object.defineProperty(canceled, 'cause', { value: reason, writable: true, configurable: true });
  return canceled;
}
