import { expect, test } from 'vitest';
import { main } from '../index.ts';

test('the axios example recovers from a throttle error, its interceptor running once', async () => {
  const lines: string[] = [];
  const { result, events, interceptorRuns } = await main((line) => lines.push(line));
  expect(result).toEqual({ id: 42 });
  expect(events.map((e) => e.type)).toEqual(['classified', 'retry', 'recovered']);
  expect(events[0]).toMatchObject({ classification: { code: 'RATE_LIMITED', status: 429 } });
  expect(interceptorRuns).toBe(1);
  expect(lines[0]).toMatch(/^attempt 1 failed with RATE_LIMITED; retrying in \d+ ms$/);
  expect(lines.at(-1)).toBe('created: {"id":42} (request interceptor ran 1 time)');
});
