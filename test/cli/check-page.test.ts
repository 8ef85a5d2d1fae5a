import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lesson } from '../helpers.js';

// A page that proves itself: its outputs, with wildcards, are the reference; no snapshot is needed
// for a step whose page shows its output.
const truthful = [
  '---',
  'check-page: true',
  '---',
  '# Truthful',
  '',
  '```console',
  '$ echo "hello $((6 * 7))"',
  'hello 42',
  '$ seq 1 5',
  '1',
  '...',
  '5',
  '$ ls /nowhere',
  "ls: cannot access '/nowhere': No such file or directory",
  "$ printf 'a: %s\\n' one two",
  'a: ...',
  'a: two',
  '```',
].join('\n');

function write(text: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-page-'));
  const path = join(dir, 'truthful.md');
  writeFileSync(path, text + '\n');
  return { dir, path };
}

describe('check-page: a page checked against its own outputs', () => {
  test('passes in CI with no snapshot at all, a failing step included when the page shows its error; -u writes no pattern anywhere', async () => {
    const { dir, path } = write(truthful);
    const ci = await lesson(['run', path, '--snapshots', dir], { env: { CI: 'true' } });
    expect(ci.stdout).toMatch(/4 passed, 0 failed, 0 skipped/);
    expect(ci.exitCode).toBe(0);

    const update = await lesson(['run', path, '--snapshots', dir, '-u']);
    expect(update.exitCode).toBe(0);
    expect(update.stdout).not.toContain('snapshot written');
    expect(readFileSync(path, 'utf8')).toBe(truthful + '\n');
    // The snapshots folder (here the page's own) holds the page and nothing else: no snapshot, no pattern.
    expect(readdirSync(dir, { recursive: true })).toEqual(['truthful.md']);
  });

  test('a page that drifted fails each block with how far it drifted and a diff page → actual', async () => {
    const { dir, path } = write(truthful.replace('hello 42', 'hello 43').replace('\n5\n', '\n6\n'));
    const run = await lesson(['run', path, '--snapshots', dir], { env: { CI: 'true' } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`✗ ${path}:7  echo "hello $((6 * 7))"`);
    expect(run.stdout).toContain('page output matches 0/1 lines');
    expect(run.stdout).toMatch(/-hello 43\n\s+\+hello 42/);
    expect(run.stdout).toContain(`✗ ${path}:9  seq 1 5`);
    expect(run.stdout).toContain('page output matches 1/2 lines');
    expect(run.stdout).toMatch(/2 passed, 2 failed/);
  });
});
