import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtInNormalizers, normalizeRun } from '../../src/normalize/index.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/outputs/${name}`, import.meta.url), 'utf8');
}
const normalize = (output: string, disable: string[] = []) => normalizeRun([output], { settings: { disable, rules: [] } })[0]!;

describe('ls -l dates', () => {
  it('become <time> in all three forms, and in busybox rows; a date outside an ls row stays', () => {
    expect(normalize(fixture('ls-long.txt'))).toBe(
      [
        'total 12',
        '-rw-r--r-- 1 root root  6 <time> proof',
        'drwxr-xr-x 2 root root 4096 <time> old',
        'lrwxrwxrwx 1 root root  7 <time> bin -> usr/bin',
        '-rw-r--r--  1 root  root  0 <time> busybox-row',
        '-rw-r--r-- 1 root root 6 <time> full-time',
        '-rw-r--r-- 1 root root 6 <time> long-iso',
        'Dec  1 21:57 is not in an ls row',
        '',
      ].join('\n'),
    );
  });

  it('a replay a minute later reads the same', () => {
    const later = fixture('ls-long.txt').replace('21:57 proof', '21:58 proof').replace('Jan  5 09:03', 'Jan  6 10:44');
    expect(normalize(later)).toBe(normalize(fixture('ls-long.txt')));
  });
});

describe('the kernel normalizer', () => {
  it('replaces the release and build uname and docker info print, and no other version', () => {
    expect(normalize(fixture('uname.txt'))).toBe(
      [
        'Linux <id-1> <kernel> <kernel-build> x86_64 GNU/Linux',
        'Linux ubuntu <kernel> <kernel-build> x86_64 x86_64 x86_64 GNU/Linux',
        '<kernel>',
        '<kernel>',
        'Linux <kernel>',
        ' Kernel Version: <kernel>',
        '<kernel-build>',
        '1.35.0',
        'Docker version 28.2.2, build e6534b4',
        'v1.2.3-beta',
        '',
      ].join('\n'),
    );
  });

  it('is idempotent, and can be turned off by name', () => {
    const once = normalize(fixture('uname.txt'));
    expect(normalize(once)).toBe(once);
    expect(builtInNormalizers).toContain('kernel');
    expect(normalize('6.1.0-18-amd64\n', ['kernel'])).toBe('6.1.0-18-amd64\n');
  });
});
