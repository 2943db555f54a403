import { expect, test } from 'vitest';
import { main } from '../index.ts';

test('the custom vendor example recovers from two throttle errors', async () => {
  const lines: string[] = [];
  const { result, events } = await main((line) => lines.push(line));
  expect(result).toEqual({ id: 42 });
  expect(events.map((e) => e.type)).toEqual([
    'classified',
    'retry',
    'classified',
    'retry',
    'recovered',
  ]);
  expect(lines.at(-1)).toBe('created: {"id":42}');
});
