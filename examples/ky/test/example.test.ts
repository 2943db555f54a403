import { expect, test } from 'vitest';
import { main } from '../index.ts';

test('ky + CO3: a write refused with code 8 is sent again; a revoked key is renewed once', async () => {
  const lines: string[] = [];
  const { saved, counters } = await main((line) => lines.push(line));

  // Three writes at once on an account served two at a time: which one is refused depends on
  // arrival, so find it.
  const burst = saved.slice(0, 3);
  const refused = burst.filter((contact) => contact.events.length > 0);
  expect(refused).toHaveLength(1);
  const [contact] = refused;
  expect(contact?.events.map((e) => `${e.type} ${e.attempt}`)).toEqual([
    'classified 1',
    'limit 1',
    'retry 1',
    'recovered 2',
  ]);
  expect(contact?.events[0]).toMatchObject({
    classification: { code: '8', category: 'retryable', effect: 'none', throttle: true },
  });
  // What the account accepted: triage sends no more than that at once from now on.
  expect(contact?.events[1]).toMatchObject({ limit: 2, previous: 10, reason: 'throttle' });
  // CO3 asks for at least a second after code 8.
  expect(contact?.events[2]).toMatchObject({ delayMs: 1000, code: '8' });
  expect(burst.map((c) => c.contactId).sort()).toEqual(['101', '102', '103']);

  // The revoked session key: code 6, one new key, the write sent again.
  expect(saved[3]?.name).toBe('Tóth');
  expect(saved[3]?.contactId).toBe('104');
  expect(saved[3]?.events.map((e) => e.type)).toEqual(['classified', 'auth-refresh', 'recovered']);
  expect(saved[3]?.events[0]).toMatchObject({ classification: { code: '6', category: 'auth' } });
  expect(saved[3]?.events[1]).toMatchObject({ outcome: 'refreshed' });

  expect(counters).toMatchObject({
    requests: 8, // 2 authentications, 4 writes, 2 of them twice
    accepted: 4,
    rejectedByCode: { '8': 1, '6': 1 },
    throttled: 1,
    credentialsIssued: 2,
    sideEffects: 4, // each contact saved once
    peakConcurrency: 2,
  });
  expect(lines).toContain(`  ${contact?.name}: sending again in 1000 ms`);
  expect(lines.at(-1)).toBe('  Tóth: saved as contact 104');
});
