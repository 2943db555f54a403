import { copyHeaders, readHeader } from '@triage/core';
import { setupServer } from 'msw/node';
import { describe, expect, test } from 'vitest';

describe('copyHeaders', () => {
  test('from Headers, a record, pairs, or nothing', () => {
    expect([...copyHeaders(new Headers({ a: '1', b: '2' }))]).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect([...copyHeaders({ 'X-A': '1' })]).toEqual([['x-a', '1']]);
    expect([...copyHeaders([['x', 'y']])]).toEqual([['x', 'y']]);
    expect([...copyHeaders(undefined)]).toEqual([]);
  });

  test("keeps a Request's headers while msw 3 intercepts (where `new Headers(request.headers)` loses them)", () => {
    const server = setupServer();
    server.listen();
    try {
      const request = new Request('http://x.test/', {
        method: 'POST',
        body: 'a',
        headers: { 'idempotency-key': 'k1' },
      });
      expect(copyHeaders(request.headers).get('idempotency-key')).toBe('k1');
    } finally {
      server.close();
    }
  });
});

describe('readHeader', () => {
  test('case-insensitive over records, arrays joined, null and undefined skipped', () => {
    expect(readHeader({ 'Content-Type': 'text/xml' }, 'content-type')).toBe('text/xml');
    expect(readHeader({ a: ['1', '2'] }, 'A')).toBe('1, 2');
    expect(readHeader({ a: null }, 'a')).toBeUndefined();
    expect(readHeader(undefined, 'a')).toBeUndefined();
    expect(readHeader(new Headers(), 'a')).toBeUndefined();
  });
});
