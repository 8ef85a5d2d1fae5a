import { expect, test } from 'vitest';
import { parseSize } from '../../src/run/registry-prune.js';

test('LESSON_CACHE_MAX sizes as people write them', () => {
  expect(parseSize('1048576')).toBe(1048576);
  expect(parseSize('500M')).toBe(500 * 1024 ** 2);
  expect(parseSize('2G')).toBe(2 * 1024 ** 3);
  expect(parseSize('1.5GB')).toBe(1.5 * 1024 ** 3);
  expect(parseSize('64kib')).toBe(64 * 1024);
  for (const bad of ['', 'lots', '2 GB of it', '-1G', undefined]) expect(parseSize(bad)).toBeUndefined();
});
