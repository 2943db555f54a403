import type { StateKey } from '@triage/core';
import { describe, expect, test } from 'vitest';
import { accountTag, recordKey } from '../src/index.ts';
import { concurrencyKeys } from '../src/keys.ts';
import { toLuaJson } from '../src/scripts/lua.ts';
import { crc16, keySlot } from './support/key-slot.ts';

const kinds: StateKey['kind'][] = ['concurrency', 'pace', 'budget', 'breaker'];

describe('key layout', () => {
  test('<prefix>:{<vendor>:<account>}:<kind>', () => {
    expect(
      recordKey('triage', { vendor: 'co3', account: 'https://co3app.com', kind: 'pace' }),
    ).toBe('triage:{co3:https://co3app.com}:pace');
    expect(concurrencyKeys('triage:{co3:x}:concurrency')).toEqual([
      'triage:{co3:x}:concurrency',
      'triage:{co3:x}:concurrency:leases',
      'triage:{co3:x}:concurrency:held',
      'triage:{co3:x}:concurrency:waiting',
      'triage:{co3:x}:concurrency:starving',
    ]);
  });

  test('braces and percent signs are escaped, and the vendor cannot swallow the account', () => {
    expect(accountTag('co3', 'a}b{c%')).toBe('{co3:a%7Db%7Bc%25}');
    expect(accountTag('co3:a', 'b')).not.toBe(accountTag('co3', 'a:b'));
  });

  test('the CRC16 here is Redis Cluster’s (its specification’s vectors)', () => {
    expect(crc16('123456789')).toBe(0x31c3);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('foo{}{bar}')).toBe(crc16('foo{}{bar}') % 16384);
  });

  test('every record of an account hashes to one Cluster slot; accounts spread over slots', () => {
    const slots = new Set<number>();
    for (const account of ['https://co3app.com', 'tenant-42', 'a}b', 'x{y']) {
      const keys = kinds.map((kind) => recordKey('triage', { vendor: 'co3', account, kind }));
      keys.push(...concurrencyKeys(keys[0]!));
      const accountSlots = new Set(keys.map(keySlot));
      expect(accountSlots.size).toBe(1);
      expect([...accountSlots][0]).toBe(crc16(accountTag('co3', account).slice(1, -1)) % 16384);
      slots.add([...accountSlots][0]!);
    }
    expect(slots.size).toBe(4);
  });
});

test('script arguments carry infinities as 1e400, which JSON.parse reads back', () => {
  const json = toLuaJson({
    maxWaitMs: Number.POSITIVE_INFINITY,
    low: Number.NEGATIVE_INFINITY,
    n: 1.5,
    no: Number.NaN,
  });
  expect(json).toBe('{"maxWaitMs":1e400,"low":-1e400,"n":1.5,"no":null}');
  expect(JSON.parse(json)).toEqual({
    maxWaitMs: Number.POSITIVE_INFINITY,
    low: Number.NEGATIVE_INFINITY,
    n: 1.5,
    no: null,
  });
});
