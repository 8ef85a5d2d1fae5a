import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { dockerSkipReason, lesson } from '../helpers.js';

const skipDocker = dockerSkipReason();

/** The arguments of the line `lesson new` printed for a next step, e.g. `lesson demo -u` → ['demo', '-u']. */
function printed(stdout: string, ending: string): string[] {
  const line = stdout.split('\n').find((l) => l.trim().startsWith('lesson ') && l.includes(ending));
  if (!line) throw new Error(`no "${ending}" line in:\n${stdout}`);
  return line.trim().split(/\s{2,}/)[0]!.split(' ').slice(1);
}

describe('lesson new', () => {
  test('writes a page that plans and records as printed, then passes in CI', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lesson-new-'));
    const created = await lesson(['new', 'first-try', '--no-docker'], { cwd });
    expect(created.exitCode).toBe(0);
    expect(created.stdout).toContain('created lessons/first-try.md');
    const page = readFileSync(join(cwd, 'lessons/first-try.md'), 'utf8');
    expect(page).toMatch(/^---\ntitle: First try\ntimeout: 60s\n---\n# First try\n/);

    const plan = await lesson([...printed(created.stdout, 'plan'), '--json'], { cwd });
    const steps = (JSON.parse(plan.stdout) as { steps: { kind: string; command?: string; expected?: string }[] }).steps;
    expect(steps).toEqual([expect.objectContaining({ kind: 'command', command: 'echo "Hello"', expected: 'Hello' })]);

    const recorded = await lesson(printed(created.stdout, '-u'), { cwd });
    expect(recorded.exitCode).toBe(0);
    expect(readFileSync(join(cwd, 'snapshots/first-try.yaml'), 'utf8')).toContain('output: |\n      Hello\n');
    const checked = await lesson(['first-try'], { cwd, env: { CI: 'true' } });
    expect(checked.stdout).toMatch(/1 passed, 0 failed, 0 skipped/);
  });

  test('under npm, says the commands the npm way', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lesson-new-'));
    const created = await lesson(['new', 'demo'], { cwd, env: { npm_lifecycle_event: 'lesson' } });
    expect(created.stdout).toContain('npm run lesson -- demo -u');
  });

  test('a title with a colon stays one YAML string', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lesson-new-'));
    await lesson(['new', 'hub', '--title', 'Docker hub: pull, push'], { cwd });
    const plan = await lesson(['plan', 'hub'], { cwd });
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toMatch(/^Docker hub: pull, push lessons\/hub\.md/);
  });

  test('never overwrites a page, and refuses a name that is not a file name', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lesson-new-'));
    await lesson(['new', 'mine'], { cwd });
    writeFileSync(join(cwd, 'lessons/mine.md'), '# Mine, edited\n');
    const again = await lesson(['new', 'mine'], { cwd });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('lessons/mine.md: already exists');
    expect(readFileSync(join(cwd, 'lessons/mine.md'), 'utf8')).toBe('# Mine, edited\n');

    const bad = await lesson(['new', '../elsewhere'], { cwd });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('cannot be a lesson name');
  });

  test.skipIf(skipDocker)('the Docker scaffold runs on a private engine as it is', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lesson-new-'));
    const created = await lesson(['new', 'with-docker'], { cwd });
    expect(readFileSync(join(cwd, 'lessons/with-docker.md'), 'utf8')).toContain('requires: [docker]\n');
    const recorded = await lesson(printed(created.stdout, '-u'), { cwd });
    expect(recorded.stdout).toMatch(/\+ lessons\/with-docker\.md:\d+ {2}docker run --rm alpine echo "Hello"/);
    expect(recorded.exitCode).toBe(0);
  });
});
