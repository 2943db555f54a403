import type {
  SimulatedEndpoint,
  SimulatedError,
  SimulatedFaultKind,
  SimulatedRaw,
  SimulatedResponse,
} from '../types.ts';

/** A scripted answer, normalized: one `kind` to switch on. */
export type Injection =
  | { readonly kind: 'error'; readonly error: SimulatedError; readonly delayMs: number }
  | { readonly kind: 'raw'; readonly raw: SimulatedRaw; readonly delayMs: number }
  | {
      readonly kind: 'fault';
      readonly fault: SimulatedFaultKind;
      readonly status: number | undefined;
      readonly delayMs: number;
    }
  | { readonly kind: 'delay'; readonly delayMs: number };

const FAULTS: ReadonlySet<string> = new Set<SimulatedFaultKind>([
  'reset',
  'reset-after',
  'mid-body',
  'truncated',
  'empty',
  'html',
  'hang',
]);

function delayOf(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`simulator: delayMs must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

/** Validates and normalizes one scripted answer; throws a `TypeError` on a malformed one. */
export function normalizeResponse(response: SimulatedResponse): {
  on: SimulatedEndpoint;
  injection: Injection;
} {
  if (typeof response === 'string' || typeof response === 'number') {
    return { on: 'api', injection: { kind: 'error', error: { code: response }, delayMs: 0 } };
  }
  if (typeof response !== 'object' || response === null) {
    throw new TypeError('simulator: a scripted response is a code or an object');
  }
  const on = response.on ?? 'api';
  if (on !== 'api' && on !== 'auth') {
    throw new TypeError(`simulator: "on" must be 'api' or 'auth', got ${String(on)}`);
  }
  const delayMs = delayOf(response.delayMs);
  if ('code' in response) {
    return { on, injection: { kind: 'error', error: response, delayMs } };
  }
  if ('fault' in response) {
    if (!FAULTS.has(response.fault)) {
      throw new TypeError(`simulator: unknown fault ${String(response.fault)}`);
    }
    return {
      on,
      injection: { kind: 'fault', fault: response.fault, status: response.status, delayMs },
    };
  }
  if ('status' in response) {
    if (!Number.isInteger(response.status) || response.status < 100 || response.status > 599) {
      throw new TypeError(`simulator: status must be an HTTP status, got ${response.status}`);
    }
    return { on, injection: { kind: 'raw', raw: response, delayMs } };
  }
  if (response.delayMs === undefined) {
    throw new TypeError('simulator: a scripted response needs code, status, fault or delayMs');
  }
  return { on, injection: { kind: 'delay', delayMs } };
}

/** A first-in first-out queue that does not shift arrays: long scripts stay cheap. */
export class InjectionQueue {
  #items: Injection[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: Injection): void {
    this.#items.push(item);
  }

  take(): Injection | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#head += 1;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    return item;
  }
}
