import { expect } from 'vitest';

/** What a request came to: its value, or what it rejected with. */
export interface Settled<T> {
  value?: T;
  error?: unknown;
}

/**
 * Settles `promise`, failing the test if it takes longer than `ms` of real time: a hang shows up
 * as a named failure instead of a test timeout.
 */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<Settled<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), ms);
  });
  try {
    const result = await Promise.race([
      promise.then(
        (value): Settled<T> => ({ value }),
        (error: unknown): Settled<T> => ({ error }),
      ),
      hung,
    ]);
    if (result === 'hung') throw new Error(`${what}: still pending after ${ms} ms`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** The body a client-native response still holds: a fetch `Response`, or axios's `data`. */
export async function nativeBody(response: unknown): Promise<string> {
  if (response instanceof Response) return response.text();
  const data = (response as { data?: unknown }).data;
  expect(typeof data).toBe('string');
  return data as string;
}

/** The status of a client-native response (fetch's `Response`, axios's `AxiosResponse`). */
export function nativeStatus(response: unknown): number | undefined {
  const status = (response as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The text a client hands the caller for these bytes: UTF-8, BOM dropped, bad bytes replaced. */
export function asText(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : new TextDecoder().decode(body);
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const snapshot = (): PropertyKey[][] => PROTOTYPES.map((proto) => Reflect.ownKeys(proto));

/**
 * Snapshots the built-in prototypes; the function it returns checks that none gained or lost a
 * property since, and that no object inherits a planted value.
 */
export function prototypeGuard(): () => void {
  const before = snapshot();
  return () => {
    expect(snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).category).toBeUndefined();
  };
}
