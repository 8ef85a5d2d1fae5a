import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
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

/** What `run` throws; undefined when it throws nothing, so an assertion on it fails then. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

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
    expect(thrown(() => readSnapshot(file))).toMatchObject({ location: `${file}:9` });
    writeFileSync(file, 'steps: [unclosed\n');
    expect(() => readSnapshot(file)).toThrow(/not a readable snapshot/);
  });

  test('a failed write leaves the old snapshot whole and no temp file', () => {
    const folder = dir();
    const file = join(folder, 'demo.yaml');
    // root ignores a folder's permissions: a folder too small for the new snapshot makes the write fail
    // part-way instead, once its temp file exists.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) execaSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', folder]);
    try {
      writeSnapshot(file, snapshot);
      if (!asRoot) chmodSync(folder, 0o500);
      const changed = { ...snapshot, steps: { 'big-1': { line: 1, command: 'seq 1 100000', exit: 0, output: 'x'.repeat(64 * 1024) } } };
      try {
        expect(() => writeSnapshot(file, changed)).toThrow(/cannot write the snapshot/);
      } finally {
        chmodSync(folder, 0o700);
      }
      expect(readSnapshot(file)).toEqual(snapshot);
      expect(readdirSync(folder)).toEqual(['demo.yaml']);
    } finally {
      if (asRoot) execaSync('umount', [folder]);
    }
  });
});
