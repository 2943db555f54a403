import { hello } from '@triage/core';
import { expect, test } from 'vitest';

test('hello', () => {
  expect(hello()).toBe('hi');
});
