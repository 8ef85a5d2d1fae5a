import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { cli, lesson, root } from '../helpers.js';

// The seed page exactly as given, with no annotation.
const seed = join(root, 'test/fixtures/pages/layers-seed.md');

describe('lesson plan', () => {
  test('printing into a pipe that its reader closed early: no crash, the usual exit status', async () => {
    const both = `${join(root, 'lessons/layers.md')} ${join(root, 'lessons/registry.md')}`;
    // `true` exits without reading: every write of the plan meets a closed pipe.
    const result = await execa('bash', ['-c', `for i in 1 2 3 4 5; do node ${cli} plan ${both} | true; echo "status \${PIPESTATUS[0]}"; done`], { all: true });
    expect(result.all).toBe(Array(5).fill('status 0').join('\n'));
  });

  test('--json on the seed page gives the documented contract: 2 files, 7 commands, 1 interactive', async () => {
    const { stdout, exitCode } = await lesson(['plan', seed, '--json']);
    expect(exitCode).toBe(0);
    const plan = JSON.parse(stdout) as { lesson: string; steps: { kind: string; id: string; line: number }[] };
    expect(plan.lesson).toBe(seed);
    expect(plan.steps.map((s) => s.kind)).toEqual(['file', 'file', 'command', 'command', 'command', 'interactive', 'command', 'command', 'command', 'command']);
    expect(Object.keys(plan.steps[5]!)).toEqual(['id', 'kind', 'line', 'command', 'input']);
  });

  test('the layers lesson by name, in text: the interactive step shows its typed line and keys, Docker hub is prose', async () => {
    const { stdout, exitCode } = await lesson(['plan', 'layers']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/50 {3}interactive docker run -it revollat\/layers2 ⟶ typed: echo "Ceci n'est pas un test" > \/autre-fichier ⟶ keys: Ctrl\+P Ctrl\+Q/);
    expect(stdout).toMatch(/Docker hub, Pull, Push, Tags {2}\(prose\)/);
  });
});

describe('bad input exits 2 with a message naming the place', () => {
  test('an unknown lesson lists the lessons there are', async () => {
    const { stderr, exitCode } = await lesson(['plan', 'layer']);
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/unknown lesson "layer"; lessons in lessons\/: .*layers/);
  });

  test('a missing file', async () => {
    const { stderr, exitCode } = await lesson(['run', 'nowhere/page.md']);
    expect(exitCode).toBe(2);
    expect(stderr).toContain('nowhere/page.md: no such file');
  });

  test('an unknown front-matter key, with its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-cli-'));
    writeFileSync(join(dir, 'bad.md'), '---\ntitle: Bad\ntimeout: soon\n---\n# Bad\n');
    const { stderr, exitCode } = await lesson(['plan', join(dir, 'bad.md')]);
    expect(exitCode).toBe(2);
    expect(stderr).toContain(`${join(dir, 'bad.md')}:3: "timeout" must be a duration`);
  });

  test('an unreadable snapshot, before anything runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-cli-'));
    writeFileSync(join(dir, 'page.md'), '# Page\n\n```\necho hi\n```\n');
    writeFileSync(join(dir, 'page.yaml'), 'lesson: x\nsteps:\n  page-1: [\n');
    const { stderr, exitCode } = await lesson(['run', join(dir, 'page.md'), '--snapshots', dir]);
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(new RegExp(`${join(dir, 'page.yaml')}:\\d+: not a readable snapshot`));
  });

  test('a program the lesson requires is missing: said once, before anything runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-cli-'));
    writeFileSync(join(dir, 'req.md'), '---\nrequires: [no-such-program]\n---\n# Req\n\n```\ntouch ran\n```\n');
    const { stderr, exitCode } = await lesson(['run', join(dir, 'req.md'), '--snapshots', dir]);
    expect(exitCode).toBe(2);
    expect(stderr).toContain(`${join(dir, 'req.md')}: cannot run here: no-such-program not found on PATH`);
    expect(existsSync(join(dir, 'req.yaml'))).toBe(false);
  });

  test('an unknown option', async () => {
    const { exitCode, stderr } = await lesson(['plan', 'layers', '--jsn']);
    expect(exitCode).toBe(2);
    expect(stderr).toContain("unknown option '--jsn'");
  });
});

describe('lesson run without Docker: a plain shell lesson', () => {
  test('records a snapshot, then passes against it; a changed output fails with a diff at the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-cli-'));
    const page = join(dir, 'hello.md');
    writeFileSync(page, '# Hello\n\n```console\n$ echo "hello $((6 * 7))"\nhello 42\n$ cd /tmp && pwd\n```\n');
    const first = await lesson(['run', page, '--snapshots', dir]);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain(`snapshot written: ${join(dir, 'hello.yaml')}`);
    expect(first.stdout).toMatch(/2 passed, 0 failed, 0 skipped/);

    const again = await lesson(['run', page, '--snapshots', dir], { env: { CI: 'true' } });
    expect(again.exitCode).toBe(0);

    writeFileSync(page, '# Hello\n\n```console\n$ echo "hello $((6 * 8))"\nhello 42\n$ cd /tmp && pwd\n```\n');
    const changed = await lesson(['run', page, '--snapshots', dir], { env: { CI: 'true' } });
    expect(changed.exitCode).toBe(1);
    expect(changed.stdout).toContain(`✗ ${page}:4  echo "hello $((6 * 8))"`);
    expect(changed.stdout).toMatch(/-hello 42\n\s+\+hello 48/);
  });

  test('in CI a lesson with no snapshot fails and nothing is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-cli-'));
    writeFileSync(join(dir, 'new.md'), '# New\n\n```\necho new\n```\n');
    const run = await lesson(['run', join(dir, 'new.md'), '--snapshots', dir], { env: { CI: 'true' } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('CI never writes snapshots');
  });
});
