import type { VendorProfile } from '@triage/core';
import { createVendorModel } from './models.ts';
import type { VendorSimulatorOptions } from './options.ts';
import { bump, createCounters, resetCounters } from './shared/counters.ts';
import type { ModelAnswer } from './shared/model.ts';
import { gatewayPage, notFound, type Reply } from './shared/reply.ts';
import type { SimRequest } from './shared/request.ts';
import { type Injection, InjectionQueue, normalizeResponse } from './shared/script.ts';
import { createThrottle } from './shared/throttle.ts';
import type {
  SimulatedEndpoint,
  SimulatedFaultKind,
  SimulatedResponse,
  SimulatorCounters,
  VendorName,
} from './types.ts';

/** What a transport must do with a request: answer, break off mid-body, or reset. */
export type Delivery =
  | { readonly kind: 'reply'; readonly reply: Reply }
  | { readonly kind: 'mid-body'; readonly reply: Reply }
  | { readonly kind: 'reset' };

/** The controls every simulator has, whichever transport serves it. */
export interface VendorSimulation {
  readonly vendor: VendorName;
  /** The vendor's triage profile (`@triage/vendors`), to classify what the simulator sends. */
  readonly profile: VendorProfile;
  /** Live counters: requests, accepted, rejected by code, side effects, concurrency. */
  readonly counters: Readonly<SimulatorCounters>;
  /**
   * Answers the next `times` requests (API calls, or `on: 'auth'` credential requests) with
   * `response`, after anything already queued.
   *
   * @example
   * ```ts
   * simulator.failNext(8, 2); // CO3: two throttled answers, then normal service
   * simulator.failNext({ code: 'expired_token' }); // VoipNow
   * simulator.failNext({ fault: 'reset-after' }); // served, then the connection is reset
   * ```
   */
  failNext(response: SimulatedResponse, times?: number): void;
  /** Queues answers in order, as the `script` option does. */
  enqueue(...responses: SimulatedResponse[]): void;
  /** How many scripted answers are still queued for an endpoint. */
  queued(on?: SimulatedEndpoint): number;
  /** Zeroes the counters (the object stays the same). */
  resetCounters(): void;
  /** Forgets every issued session key or token: the next call with one is refused as unknown. */
  revokeCredentials(): void;
}

/** A simulation without a transport: the node server and the msw handlers both drive one. */
export interface Simulation extends VendorSimulation {
  /** The vendor's production base URL, for msw. */
  readonly defaultBaseUrl: string;
  /**
   * Answers one request. `signal` ends a `hang` early (the client went away); it never cuts
   * service short, since a vendor finishes a call its client has abandoned.
   */
  handle(request: SimRequest, signal?: AbortSignal): Promise<Delivery>;
  /** Clears every timer and resets every waiting request. */
  dispose(): void;
}

const RESET: Delivery = Object.freeze({ kind: 'reset' });
const ELAPSED: Promise<boolean> = Promise.resolve(true);

function rateOf(
  rate: VendorSimulatorOptions['rate'],
): { requests: number; perMs: number } | undefined {
  if (rate === undefined) return undefined;
  const spec = typeof rate === 'number' ? { requests: rate } : rate;
  const perMs = spec.perMs ?? 1000;
  if (!Number.isInteger(spec.requests) || spec.requests < 0 || !(perMs > 0)) {
    throw new TypeError('simulator: rate needs an integer `requests` >= 0 and `perMs` > 0');
  }
  return { requests: spec.requests, perMs };
}

/** Builds the transport-free simulation of `options.vendor`. */
export function createSimulation(options: VendorSimulatorOptions): Simulation {
  const clock = options.clock ?? { now: () => Date.now() };
  const model = createVendorModel(options, clock);
  const serviceTimeMs = options.serviceTimeMs ?? 0;
  if (!(serviceTimeMs >= 0)) throw new TypeError('simulator: serviceTimeMs must be >= 0');
  const concurrency = options.concurrency ?? Number.POSITIVE_INFINITY;
  if (!(concurrency >= 1)) throw new TypeError('simulator: concurrency must be >= 1');
  const throttle = createThrottle({ concurrency, rate: rateOf(options.rate) });
  const counters = createCounters();
  const queues: Record<SimulatedEndpoint, InjectionQueue> = {
    api: new InjectionQueue(),
    auth: new InjectionQueue(),
  };
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const waiting = new Set<(elapsed: boolean) => void>();
  let closed = false;
  /** When the counters were last reset: slot time before it is not counted. */
  let countedSince = Number.NEGATIVE_INFINITY;

  /** Waits real time; false when the simulation closed (or `signal` aborted) first. */
  function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (closed) return Promise.resolve(false);
    if (ms <= 0 && signal === undefined) return ELAPSED;
    return new Promise<boolean>((resolve) => {
      const finish = (elapsed: boolean): void => {
        waiting.delete(finish);
        if (timer !== undefined) {
          clearTimeout(timer);
          timers.delete(timer);
        }
        signal?.removeEventListener('abort', onAbort);
        resolve(elapsed);
      };
      const onAbort = (): void => finish(false);
      // A hang has no timer: it waits for the client or for close().
      const timer = Number.isFinite(ms) ? setTimeout(finish, ms, true) : undefined;
      if (timer !== undefined) timers.add(timer);
      waiting.add(finish);
      if (signal?.aborted === true) finish(false);
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  function enqueue(response: SimulatedResponse, times: number): void {
    const { on, injection } = normalizeResponse(response);
    if (on === 'auth' && !model.authEndpoint) {
      throw new TypeError(`simulator: ${model.vendor} has no credential endpoint to script`);
    }
    for (let i = 0; i < times; i += 1) queues[on].push(injection);
  }

  function count(
    answer: ModelAnswer,
    endpoint: SimulatedEndpoint,
    request: SimRequest | undefined,
  ): Reply {
    const { reply } = answer;
    if (answer.issued === true) {
      counters.credentialsIssued += 1;
    } else if (answer.code !== undefined) {
      counters.rejected += 1;
      bump(counters.rejectedByCode, answer.code);
    } else if (reply.status >= 400) {
      counters.rejected += 1;
      bump(counters.rejectedByCode, `HTTP ${reply.status}`);
    } else if (endpoint === 'api' && request !== undefined) {
      counters.accepted += 1;
      if (answer.write === true) {
        counters.sideEffects += 1;
        const key = request.header('idempotency-key');
        if (key !== undefined && key !== '') bump(counters.sideEffectsByKey, key);
      }
    }
    return reply;
  }

  function damaged(reply: Reply, fault: SimulatedFaultKind | undefined): Delivery {
    switch (fault) {
      case undefined:
        return { kind: 'reply', reply };
      case 'reset-after':
        return RESET;
      case 'mid-body':
        return { kind: 'mid-body', reply };
      case 'truncated':
        return {
          kind: 'reply',
          reply: { ...reply, body: reply.body.slice(0, Math.floor(reply.body.length / 2)) },
        };
      default:
        return { kind: 'reply', reply: { status: 200, headers: reply.headers, body: '' } };
    }
  }

  /** An injected answer that stands in for the vendor; `undefined` lets the vendor serve. */
  async function inject(
    injection: Injection,
    context: unknown,
    endpoint: SimulatedEndpoint,
    signal: AbortSignal | undefined,
  ): Promise<Delivery | undefined> {
    if (injection.kind === 'delay') return undefined;
    if (injection.kind === 'fault') {
      bump(counters.faults, injection.fault);
      if (injection.fault === 'hang') {
        await pause(Number.POSITIVE_INFINITY, signal);
        return RESET;
      }
      if (injection.fault !== 'reset' && injection.fault !== 'html') return undefined;
    }
    if (!(await pause(injection.delayMs))) return RESET;
    switch (injection.kind) {
      case 'error':
        return {
          kind: 'reply',
          reply: count(model.error(injection.error, context), endpoint, undefined),
        };
      case 'raw': {
        const { status, body = '', headers = {} } = injection.raw;
        const reply: Reply = { status, headers: { ...headers }, body };
        return { kind: 'reply', reply: count({ reply }, endpoint, undefined) };
      }
      default:
        if (injection.fault === 'reset') return RESET;
        return {
          kind: 'reply',
          reply: count({ reply: gatewayPage(injection.status ?? 502) }, endpoint, undefined),
        };
    }
  }

  async function handle(request: SimRequest, signal?: AbortSignal): Promise<Delivery> {
    counters.requests += 1;
    const context = model.read(request);
    const endpoint = model.endpoint(context);
    if (endpoint === undefined) {
      return { kind: 'reply', reply: count({ reply: notFound() }, 'api', undefined) };
    }
    const injection = queues[endpoint].take();
    let fault: SimulatedFaultKind | undefined;
    let extraMs = 0;
    if (injection !== undefined) {
      const injected = await inject(injection, context, endpoint, signal);
      if (injected !== undefined) return injected;
      extraMs = injection.delayMs;
      if (injection.kind === 'fault') fault = injection.fault;
    }

    if (endpoint === 'auth') {
      if (!(await pause(extraMs))) return RESET;
      return damaged(count(model.authenticate(context), endpoint, request), fault);
    }

    const account = model.account(context);
    if (!throttle.admit(account, clock.now())) {
      counters.throttled += 1;
      return { kind: 'reply', reply: count(model.throttled(context), endpoint, request) };
    }
    counters.concurrency += 1;
    const slotSince = clock.now();
    if (counters.concurrency > counters.peakConcurrency) {
      counters.peakConcurrency = counters.concurrency;
    }
    let served: boolean;
    try {
      served = await pause(serviceTimeMs + extraMs);
    } finally {
      counters.concurrency -= 1;
      counters.busyMs += clock.now() - Math.max(slotSince, countedSince);
      throttle.release(account);
    }
    if (!served) return RESET;
    return damaged(count(model.serve(context), endpoint, request), fault);
  }

  if (options.script !== undefined) for (const response of options.script) enqueue(response, 1);

  return {
    vendor: model.vendor,
    profile: model.profile,
    defaultBaseUrl: model.defaultBaseUrl,
    counters,
    failNext(response, times = 1) {
      if (!Number.isInteger(times) || times < 0) {
        throw new TypeError(`simulator: times must be an integer >= 0, got ${times}`);
      }
      enqueue(response, times);
    },
    enqueue(...responses) {
      for (const response of responses) enqueue(response, 1);
    },
    queued(on = 'api') {
      return queues[on].size;
    },
    resetCounters() {
      resetCounters(counters);
      countedSince = clock.now();
    },
    revokeCredentials() {
      model.revokeCredentials();
    },
    handle,
    dispose() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const finish of [...waiting]) finish(false);
      throttle.clear();
    },
  };
}
