// The pieces of one ky attempt that the end-to-end tests cannot see: a timer that follows the
// engine's signal, and ky's request body read without being left locked.
import { describe, expect, test } from 'vitest';
import { startAttemptTimer } from '../src/attempt-timer.ts';
import { planBody } from '../src/request-body.ts';

describe('startAttemptTimer', () => {
  test('aborts with the followed signal’s reason, and stops following once cancelled', () => {
    const engine = new AbortController();
    const timer = startAttemptTimer(60_000, engine.signal, () => new Error('timeout'));
    const reason = new Error('caller left');
    engine.abort(reason);
    expect(timer.signal.aborted).toBe(true);
    expect(timer.signal.reason).toBe(reason);
    expect(timer.error).toBeUndefined();
    timer.cancel();

    const next = new AbortController();
    const quiet = startAttemptTimer(60_000, next.signal, () => new Error('timeout'));
    quiet.cancel();
    next.abort(new Error('later'));
    expect(quiet.signal.aborted).toBe(false);
  });

  test('a followed signal that aborted already aborts at once', () => {
    const engine = new AbortController();
    const reason = new Error('gone');
    engine.abort(reason);
    const timer = startAttemptTimer(60_000, engine.signal, () => new Error('timeout'));
    expect(timer.signal.reason).toBe(reason);
    timer.cancel();
  });

  test('fires with the error it is given', async () => {
    const error = new Error('timed out');
    const timer = startAttemptTimer(1, undefined, () => error);
    await new Promise((resolve) => timer.signal.addEventListener('abort', resolve));
    expect(timer.error).toBe(error);
    expect(timer.signal.reason).toBe(error);
  });
});

describe('planBody', () => {
  test('reads ky’s request body once and leaves it unlocked, so ky can cancel it quietly', async () => {
    const request = new Request('https://api.test/', { method: 'POST', body: '{"a":1}' });
    const plan = await planBody(request, 'text');
    expect(plan).toEqual({ replayable: true, body: '{"a":1}' });
    expect(request.body?.locked).toBe(false);
    await expect(request.body?.cancel()).resolves.toBeUndefined();
  });

  test('bytes in several chunks come back whole', async () => {
    const chunks = [new Uint8Array([1, 2]), new Uint8Array([3])];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    const request = new Request('https://api.test/', {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(await planBody(request, 'bytes')).toEqual({
      replayable: true,
      body: new Uint8Array([1, 2, 3]),
    });
  });
});
