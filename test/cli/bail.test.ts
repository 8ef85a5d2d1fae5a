import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lesson } from '../helpers.js';

function pageWithAFailure(): { dir: string; page: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-bail-'));
  const page = join(dir, 'failing.md');
  writeFileSync(page, '# Failing\n\n```console\n$ echo one\n$ ls missing.txt\n$ echo three > three.txt && cat three.txt\n```\n');
  return { dir, page };
}

describe('a failing step', () => {
  test('without --bail, the steps after it still run and are reported, as a person would go on', async () => {
    const { dir, page } = pageWithAFailure();
    const run = await lesson(['run', page, '--snapshots', dir]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`✗ ${page}:5  ls missing.txt`);
    expect(run.stdout).toMatch(new RegExp(`\\+ ${page}:6 {2}echo three`));
    expect(run.stdout).toMatch(/2 passed, 1 failed, 0 skipped$/m);
    // What ran after the failure is recorded like any other step.
    expect(readFileSync(join(dir, 'failing.yaml'), 'utf8')).toContain('output: |\n      three\n');
  });

  test('with --bail, nothing after it runs: the rest is reported as not run', async () => {
    const { dir, page } = pageWithAFailure();
    const run = await lesson(['run', page, '--snapshots', dir, '--bail']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`✗ ${page}:5  ls missing.txt`);
    expect(run.stdout).toContain(`○ ${page}:6  echo three`);
    expect(run.stdout).toMatch(/1 passed, 1 failed, 0 skipped \(1 not run\)$/m);
  });

  test('--bail goes by the verdict: a non-zero exit the page shows passes and the run goes on; a changed output stops it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-bail-'));
    const page = join(dir, 'verdict.md');
    const write = (second: string) =>
      writeFileSync(page, `# Verdict\n\n\`\`\`console\n$ ls missing.txt\nls: cannot access 'missing.txt': No such file or directory\n$ echo ${second}\n$ echo three\n\`\`\`\n`);
    write('two');
    const recorded = await lesson(['run', page, '--snapshots', dir, '--bail']);
    expect(recorded.stdout).toMatch(/3 passed, 0 failed, 0 skipped$/m);
    expect(recorded.exitCode).toBe(0);

    write('TWO');
    const changed = await lesson(['run', page, '--snapshots', dir, '--bail'], { env: { CI: 'true' } });
    expect(changed.exitCode).toBe(1);
    expect(changed.stdout).toContain(`✗ ${page}:6  echo TWO`);
    expect(changed.stdout).toContain(`○ ${page}:7  echo three`);
  });
});
