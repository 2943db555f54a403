import { describe, expect, test } from 'vitest';
import { createThrottle } from '../src/simulators/shared/throttle.ts';

// The limiter alone, on hand-made times: exact answers, no server.

describe('createThrottle', () => {
  test('concurrency: slots per account, given back on release', () => {
    const throttle = createThrottle({ concurrency: 2 });
    expect([throttle.admit('a', 0), throttle.admit('a', 0), throttle.admit('a', 0)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(throttle.admit('b', 0)).toBe(true);
    throttle.release('a');
    expect(throttle.admit('a', 0)).toBe(true);
    expect(throttle.admit('a', 0)).toBe(false);
    throttle.release('nobody'); // harmless
    throttle.release('b');
    throttle.release('b'); // never below zero
    expect([throttle.admit('b', 0), throttle.admit('b', 0), throttle.admit('b', 0)]).toEqual([
      true,
      true,
      false,
    ]);
  });

  test('rate: no window of perMs ever holds more than N accepted calls', () => {
    const throttle = createThrottle({ rate: { requests: 3, perMs: 1000 } });
    const admitted = (at: number) => {
      const ok = throttle.admit('a', at);
      if (ok) throttle.release('a');
      return ok;
    };
    const times = [0, 10, 20, 30, 999, 1000, 1005, 1010, 1019, 1020, 1500, 2000, 2005, 2010];
    expect(times.map(admitted)).toEqual([
      true, // 0
      true, // 10
      true, // 20
      false, // 30: 0, 10, 20 in the window
      false, // 999
      true, // 1000: 0 left
      false, // 1005
      true, // 1010: 10 left
      false, // 1019
      true, // 1020: 20 left
      false, // 1500: 1000, 1010, 1020 in
      true, // 2000: 1000 left (a window is half-open: (1000, 2000])
      false, // 2005: 1010, 1020, 2000 in
      true, // 2010: 1010 left
    ]);
  });

  test('rate: refused calls do not use the window; accounts are apart', () => {
    const throttle = createThrottle({ rate: { requests: 1, perMs: 100 } });
    expect(throttle.admit('a', 0)).toBe(true);
    throttle.release('a');
    for (let t = 1; t < 100; t += 1) expect(throttle.admit('a', t)).toBe(false);
    expect(throttle.admit('b', 50)).toBe(true);
    expect(throttle.admit('a', 100)).toBe(true);
  });

  test('both limits at once; a refused call takes no slot', () => {
    const throttle = createThrottle({ concurrency: 1, rate: { requests: 2, perMs: 1000 } });
    expect(throttle.admit('a', 0)).toBe(true);
    expect(throttle.admit('a', 1)).toBe(false); // concurrency; the rate is not charged
    throttle.release('a');
    expect(throttle.admit('a', 2)).toBe(true);
    throttle.release('a');
    expect(throttle.admit('a', 3)).toBe(false); // rate
    throttle.clear();
    expect(throttle.admit('a', 4)).toBe(true);
  });

  test('a rate of zero refuses everything', () => {
    const throttle = createThrottle({ rate: { requests: 0, perMs: 1000 } });
    expect(throttle.admit('a', 0)).toBe(false);
  });
});
