import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { dockerSkipReason, lesson } from '../helpers.js';

// With an engine, each step's end waits on a question to the engine (is it still up?): long enough for
// the shell to reach and run the `exit` queued after it, so the shell is gone before the step is judged.
const skip = dockerSkipReason();
if (skip) console.warn(`skipping the step that exits the lesson's shell: ${skip}`);

function page(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-exit-'));
  writeFileSync(join(dir, 'exit.md'), `---\nrequires: [docker]\n---\n# Exit\n\n${body}`);
  return dir;
}

describe.skipIf(skip)('a step that runs exit in the lesson shell', () => {
  test('is the failing step, at its own line; the step before it passes and those after it are not run', async () => {
    const dir = page('```console\n$ echo x | wc -l\n1\n$ exit\n$ echo after\nafter\n```\n');
    const run = await lesson(['run', join(dir, 'exit.md'), '--snapshots', dir]);
    expect(run.stdout).toContain(`+ ${dir}/exit.md:7  echo x | wc -l`);
    expect(run.stdout).toContain(`✗ ${dir}/exit.md:9  exit`);
    expect(run.stdout).toContain("the lesson's shell exited (status 0): the steps after this one need it");
    expect(run.stdout).toContain(`○ ${dir}/exit.md:10  echo after`);
    expect(run.stdout).toMatch(/1 passed, 1 failed, 0 skipped \(1 not run\)/);
    expect(run.exitCode).toBe(1);
  });

  test("passes as the page's last step", async () => {
    const dir = page('```console\n$ echo x | wc -l\n1\n$ exit\n```\n');
    const run = await lesson(['run', join(dir, 'exit.md'), '--snapshots', dir]);
    expect(run.stdout).toMatch(/2 passed, 0 failed, 0 skipped/);
    expect(run.exitCode).toBe(0);
  });
});
