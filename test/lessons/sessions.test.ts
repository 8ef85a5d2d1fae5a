import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { Snapshot } from '../../src/types.js';
import { dockerSkipReason, leftovers, lesson, root } from '../helpers.js';

/** Processes whose command line or environment names `dir`: the run's engine, shells and terminals. */
function processesUnder(dir: string): string[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir) || readFileSync(`/proc/${pid}/environ`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    });
}

const skip = dockerSkipReason();
if (skip) console.warn(`skipping sessions across blocks end to end: ${skip}`);

describe.skipIf(skip)('a session that spans blocks, for real, on a private engine', () => {
  test('lines at the container prompt are typed in the container, never on the host, even with a stub first in PATH', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-sessions-'));
    // A stub `apt-get` first in PATH records every run on the host: only the page's host line may reach it.
    const stubs = join(dir, 'bin');
    const log = join(dir, 'host-ran.log');
    mkdirSync(stubs);
    writeFileSync(join(stubs, 'apt-get'), `#!/bin/sh\necho "apt-get $*" >> '${log}'\n`);
    chmodSync(join(stubs, 'apt-get'), 0o755);

    // The stub writes its log into the test's folder, which the sandbox keeps read-only: outside it.
    const run = await lesson(['run', 'test/fixtures/pages/sessions-across-blocks.md', '--snapshots', dir, '--no-sandbox'], {
      // The run's folders under `dir`, so what it leaves behind is told apart from other runs on this machine.
      env: { PATH: `${stubs}:${process.env.PATH ?? ''}`, TMPDIR: dir },
    });
    expect(readFileSync(log, 'utf8')).toBe('apt-get check\n');
    expect(run.all).toMatch(/9 passed, 0 failed, 1 skipped/);
    expect(run.exitCode).toBe(0);

    const steps = (parse(readFileSync(join(dir, 'sessions-across-blocks.yaml'), 'utf8')) as Snapshot).steps;
    // What the container printed, in the session the first block opened.
    expect(steps['a-session-across-blocks-2']?.output).toContain('root@<id-1>:/# apt-get update\nsh: apt-get: not found\n');
    expect(steps['a-session-across-blocks-3']?.output).toBe('box Up\n');
    expect(steps['a-session-across-blocks-5']?.output).toContain('sh: apt-get: not found');
    expect(steps['a-session-across-blocks-6']?.output).toBe('root@<id-1>:/# cat /proof\ninside\nroot@<id-1>:/# exit\n');
    expect(steps['a-session-across-blocks-7']?.output).toBe('box Exited\n');
    // The second session is left open by the page: the lesson's end closes it, leaving nothing behind.
    expect(steps['a-session-the-lessons-end-closes-2']?.output).toMatch(/^\/ # apt-get install curl\nsh: apt-get: not found\n\/ # hostname\n<id-\d+>\n\/ #\n$/);
    expect(existsSync(join(root, 'test/fixtures/pages/sessions-across-blocks.yaml'))).toBe(false);
    const mine = leftovers();
    expect([...mine.processes, ...mine.mounts].filter((line) => line.includes(dir))).toEqual([]);
    expect(processesUnder(dir)).toEqual([]);
  });
});
