import { expect, test } from 'vitest';
import { main } from '../index.ts';
import { styleFor } from '../style.ts';

test('the tour runs every leg and tallies what happened', async () => {
  const lines: string[] = [];
  const tallies = await main((line) => lines.push(line), styleFor({ isTTY: false }));
  const byLabel = Object.fromEntries(tallies.map((t) => [t.label, t]));

  expect(byLabel['axios + SimplyBook']).toMatchObject({
    requests: 3,
    attempts: 5,
    retries: 1,
    refreshes: 1,
    failures: { retryable: 0, auth: 0, validation: 1, fatal: 0 },
  });
  // Three setContact calls at once against two slots: at least one meets code 8 and waits 1 s.
  const co3 = byLabel['ky + CO3']!;
  expect(co3).toMatchObject({
    requests: 5,
    refreshes: 1,
    failures: { retryable: 0, auth: 0, validation: 0, fatal: 0 },
  });
  expect(co3.retries).toBeGreaterThanOrEqual(1);
  expect(co3.attempts).toBe(5 + 1 + co3.retries);
  expect(byLabel['fetch + Convio']).toMatchObject({
    requests: 4,
    attempts: 4,
    retries: 0,
    failures: { retryable: 1, auth: 0, validation: 2, fatal: 0 },
  });
  expect(byLabel['fetch + VoipNow']).toMatchObject({
    requests: 2,
    attempts: 3,
    retries: 1,
    failures: { retryable: 1 },
  });
  // Two requests, then a burst of 40 reads against an account that takes 20 a second: the 20 it
  // refuses with a bare 429 are each retried (at least once) and all of them succeed.
  const fd = byLabel['fetch + Fone Dynamics']!;
  expect(fd).toMatchObject({
    requests: 42,
    failures: { retryable: 0, auth: 0, validation: 1, fatal: 0 },
  });
  expect(fd.retries).toBeGreaterThanOrEqual(1 + 20);
  expect(fd.attempts).toBe(fd.requests + fd.retries);

  const text = lines.join('\n');
  expect(text).not.toContain('\u001b[');
  expect(text).toContain('stop: unsafe');
  expect(text).toContain('fields: To');
  expect(text).toContain('(discovered from throttles)');
  expect(text).toContain('40 of 40 in');
  expect(text).toContain('Summary');
  // No credential of the demo accounts reaches the trace.
  for (const secret of ['demo-api-key', 'demo-secret', 'demo-token', 'demo-password'])
    expect(text).not.toContain(secret);
});
