import { expect, test } from 'vitest';
import { main } from '../index.ts';

test('the ky example recovers from a throttle error inside a 200 body', async () => {
  const lines: string[] = [];
  const { result, events, requests } = await main((line) => lines.push(line));
  expect(result).toEqual({ id: 42 });
  expect(requests).toBe(2);
  expect(events.map((e) => e.type)).toEqual(['classified', 'retry', 'recovered']);
  expect(lines[0]).toMatch(/^attempt 1 failed with RATE_LIMITED; retrying in \d+ ms$/);
  expect(lines.at(-1)).toBe('created: {"id":42}');
});
