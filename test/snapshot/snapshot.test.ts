import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatSnapshot, readSnapshot, writeSnapshot } from '../../src/snapshot/store.js';
import type { Snapshot } from '../../src/types.js';

const snapshot: Snapshot = {
  lesson: 'lessons/demo.md',
  environment: { 'docker server': '20.10.24+dfsg1' },
  steps: {
    'build-1': { line: 12, command: 'docker build -t demo .', exit: 0, output: 'Step 1/2 : FROM alpine\n ---> <id-1>\n' },
    'build-2': { line: 20, path: 'Dockerfile', exit: 0, output: '' },
  },
};

describe('snapshot store', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'lesson-snap-'));

  test('round-trips, with multi-line outputs readable as YAML block text', () => {
    const file = join(dir(), 'demo.yaml');
    writeSnapshot(file, snapshot);
    expect(readSnapshot(file)).toEqual(snapshot);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('    output: |\n      Step 1/2 : FROM alpine\n       ---> <id-1>\n');
    expect(text.startsWith('# Snapshot of lessons/demo.md')).toBe(true);
  });

  test('a missing snapshot is undefined, not an error', () => {
    expect(readSnapshot(join(dir(), 'none.yaml'))).toBeUndefined();
  });

  test('a broken file is an error naming the file and line', () => {
    const file = join(dir(), 'broken.yaml');
    writeFileSync(file, formatSnapshot(snapshot).replace('    exit: 0\n    output: |\n      Step', '    exit: zero\n    output: |\n      Step'));
    expect(() => readSnapshot(file)).toThrow(/no numeric "exit"/);
    try {
      readSnapshot(file);
    } catch (error) {
      expect((error as { location: string }).location).toBe(`${file}:9`);
    }
    writeFileSync(file, 'steps: [unclosed\n');
    expect(() => readSnapshot(file)).toThrow(/not a readable snapshot/);
  });

  test('a failed write leaves the old snapshot whole and no temp file', () => {
    const folder = dir();
    const file = join(folder, 'demo.yaml');
    writeSnapshot(file, snapshot);
    chmodSync(folder, 0o500);
    const changed = { ...snapshot, steps: {} };
    try {
      // root ignores directory permissions, so also make the target a directory to force a failure there
      if (process.getuid?.() === 0) {
        expect(() => writeSnapshot(folder, changed)).toThrow();
      } else {
        expect(() => writeSnapshot(file, changed)).toThrow();
      }
    } finally {
      chmodSync(folder, 0o700);
    }
    expect(readSnapshot(file)).toEqual(snapshot);
    expect(readdirSync(folder)).toEqual(['demo.yaml']);
  });
});
