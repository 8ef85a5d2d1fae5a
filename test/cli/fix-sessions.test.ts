// `lesson fix` on terminal sessions, for real, on a private engine: a session opened and ended in one
// block, one that spans blocks, a one-shot command with a terminal. Each typed line gets what showed
// under it on the screen; the banner the page never showed stays out.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { dockerSkipReason, lesson } from '../helpers.js';

const drifted = [
  '# Sessions',
  '',
  '```console',
  '$ docker run -it --rm alpine sh',
  '/ # echo hi',
  'ho',
  '/ # ls /etc/alpine-release',
  '/etc/alpine-release',
  '/ # exit',
  '```',
  '',
  'A session that goes on after the prose:',
  '',
  '```console',
  '$ docker run -it --name box alpine sh',
  '/ # echo first',
  'frist',
  '```',
  '',
  'Then, still in the container:',
  '',
  '```console',
  '/ # echo second',
  'secnd',
  '/ # exit',
  '```',
  '',
  '```console',
  '$ docker run -t --rm alpine echo tty',
  'yyt',
  '```',
  '',
].join('\n');

const skip = dockerSkipReason();
if (skip) console.warn(`skipping lesson fix on sessions: ${skip}`);

describe.skipIf(skip)('lesson fix on terminal sessions, on a private engine', () => {
  test('each typed line gets what showed under it; the page then passes --check-page, and a second fix changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-fix-sessions-'));
    const path = join(dir, 'sessions.md');
    writeFileSync(path, drifted);
    const fix = await lesson(['fix', path, '--snapshots', dir], { env: { TMPDIR: dir } });
    expect(fix.stdout).toContain(`${path}: 4 blocks fixed`);
    expect(fix.exitCode).toBe(0);
    const before = drifted.split('\n');
    const after = readFileSync(path, 'utf8').split('\n');
    expect(after).toHaveLength(before.length);
    expect(before.flatMap((line, index) => (line === after[index] ? [] : [[index + 1, line, after[index]]]))).toEqual([
      [6, 'ho', 'hi'],
      // busybox says it its own way: what ran is what the page now shows.
      [8, '/etc/alpine-release', 'ls: /etc/alpine-release: No such file or directory'],
      [17, 'frist', 'first'],
      [24, 'secnd', 'second'],
      [30, 'yyt', 'tty'],
    ]);

    const check = await lesson(['run', path, '--check-page', '--snapshots', dir], { env: { CI: 'true', TMPDIR: dir } });
    expect(check.stdout).toMatch(/4 passed, 0 failed/);
    expect(check.exitCode).toBe(0);
    const again = await lesson(['fix', path, '--snapshots', dir], { env: { TMPDIR: dir } });
    expect(again.stdout).toContain(`${path}: nothing to fix`);
    expect(readFileSync(path, 'utf8')).toBe(after.join('\n'));
  });
});
