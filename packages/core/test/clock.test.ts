import { sleep, systemClock } from '@triage/core';
import { describe, expect, test } from 'vitest';

describe('systemClock and sleep', () => {
  test('sleeps on real timers', async () => {
    const start = systemClock.now();
    await sleep(systemClock, 20);
    expect(systemClock.now() - start).toBeGreaterThanOrEqual(19);
  });

  test('a cancelled timer never fires', async () => {
    let fired = false;
    const cancel = systemClock.setTimeout(() => {
      fired = true;
    }, 5);
    cancel();
    await sleep(systemClock, 20);
    expect(fired).toBe(false);
  });

  test('an aborted signal rejects at once with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(sleep(systemClock, 10_000, controller.signal)).rejects.toBe(reason);
  });

  test('aborting mid-wait rejects within a few ms', async () => {
    const controller = new AbortController();
    const start = performance.now();
    const pending = sleep(systemClock, 10_000, controller.signal);
    setTimeout(() => controller.abort(new Error('late')), 5);
    await expect(pending).rejects.toThrow('late');
    expect(performance.now() - start).toBeLessThan(200);
  });
});
