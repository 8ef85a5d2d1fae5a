import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lesson } from '../helpers.js';

function page(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-friction-'));
  writeFileSync(join(dir, 'page.md'), text);
  return { dir, file: join(dir, 'page.md') };
}

describe('the frictions of a first lesson', () => {
  test('CI=true with -u stops at once, exit 2, with one line saying why', async () => {
    const { dir, file } = page('# P\n\n```\necho hi\n```\n');
    for (const args of [['run', file, '-u', '--snapshots', dir], ['check', file, '-u', '--snapshots', dir]]) {
      const run = await lesson(args, { env: { CI: 'true' } });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toBe('error -u writes snapshots, and CI never writes them: unset CI to record');
      expect(run.stdout).toBe('');
    }
  });

  test("plan's text shows the output the page shows under each step: its first lines, then …", async () => {
    const { file } = page('# P\n\n```console\n$ seq 5\n1\n2\n3\n4\n5\n$ echo hi\nhi\n```\n');
    const run = await lesson(['plan', file]);
    expect(run.stdout).toContain(['   4   command     seq 5', '                  │ 1', '                  │ 2', '                  │ 3', '                  │ …', '  10   command     echo hi', '                  │ hi'].join('\n'));
  });

  test('skipped steps are printed in page order, with the others', async () => {
    const { dir, file } = page('# P\n\n```\necho one\n```\n\n```powershell\nGet-ChildItem\n```\n\n```\necho two\n```\n');
    const run = await lesson(['run', file, '--snapshots', dir]);
    const marks = run.stdout.split('\n').filter((line) => /^ {2}[✓+✗○-] /.test(line)).map((line) => line.slice(0, 3) + line.slice(line.indexOf(':'), line.indexOf(':') + 3));
    expect(marks).toEqual(['  +:4 ', '  -:7 ', '  +:12']);
    expect(run.exitCode).toBe(0);
  });
});

describe('check with only file reporters', () => {
  test('still shows the progress on stdout; --silent turns it off', async () => {
    const { dir, file } = page('# P\n\n```\necho hi\n```\n');
    const shown = await lesson(['check', file, '--snapshots', dir, '--reporter', `junit=${dir}/junit.xml`]);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toMatch(/1 passed, 0 failed, 0 skipped/);
    const silent = await lesson(['check', file, '--snapshots', dir, '--reporter', `junit=${dir}/junit.xml`, '--silent']);
    expect(silent.exitCode).toBe(0);
    expect(silent.stdout).toBe('');
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuite');
  });
});
