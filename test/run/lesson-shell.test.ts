import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { readProcStat } from '../../src/run/proc.js';
import { LessonShell } from '../../src/run/lesson-shell.js';

describe('LessonShell: one real bash for a whole lesson', () => {
  let dir: string;
  let shell: LessonShell;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'lesson-shell-')));
    shell = LessonShell.start({ cwd: dir, env: { PATH: process.env.PATH, HOME: dir } });
  });
  afterEach(async () => {
    await shell.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a step that leaves the shell loop (break, continue) ends the shell as exit would: the next steps are not run', async () => {
    for (const leave of ['break', 'continue']) {
      const session = LessonShell.start({ cwd: dir, env: { PATH: process.env.PATH } });
      let runs: Promise<unknown>[] = [];
      session.batch(() => (runs = [session.run('echo before', 5000), session.run(leave, 5000), session.run('echo after', 5000)]));
      const [before, left, after] = await Promise.all(runs);
      expect(before).toMatchObject({ exitCode: 0, output: 'before\n' });
      expect(left).toMatchObject({ timedOut: false, output: '' });
      expect(after).toMatchObject({ exitCode: null, output: "the lesson's shell has exited" });
      expect(session.running).toBe(false);
      await session.close();
    }
  });

  test('a continue with no step after it ends the shell at once, not at its timeout', async () => {
    const run = await shell.run('continue', 5000);
    expect(run).toMatchObject({ timedOut: false, output: '' });
    expect(shell.running).toBe(false);
  });

  test('cd, variables and $(...) carry over from step to step', async () => {
    await shell.run('mkdir sub && cd sub', 5000);
    await shell.run('NAME=$(echo world)', 5000);
    const run = await shell.run('echo "hello $NAME from $(basename "$PWD")"', 5000);
    expect(run).toMatchObject({ exitCode: 0, output: 'hello world from sub\n', timedOut: false });
  });

  test('stdout and stderr interleave in the order written, with the exit status', async () => {
    const run = await shell.run('echo one; echo two >&2; echo three; exit_with() { return $1; }; exit_with 3', 5000);
    expect(run.output).toBe('one\ntwo\nthree\n');
    expect(run.exitCode).toBe(3);
  });

  test('output without a final newline, and UTF-8 text, come back exactly', async () => {
    expect((await shell.run("printf 'Ceci n\\x27est pas un test ❯❯❯'", 5000)).output).toBe("Ceci n'est pas un test ❯❯❯");
    expect((await shell.run('true', 5000)).output).toBe('');
  });

  test('a command that reads stdin gets end-of-file, not the next steps', async () => {
    const read = await shell.run('cat; echo after-cat', 5000);
    expect(read.output).toBe('after-cat\n');
    expect((await shell.run('echo still-here', 5000)).output).toBe('still-here\n');
  });

  test('a syntax error fails that step only', async () => {
    const broken = await shell.run('echo (', 5000);
    expect(broken.exitCode).toBe(2);
    expect(broken.output).toMatch(/syntax error/);
    expect((await shell.run('echo fine', 5000)).exitCode).toBe(0);
  });

  test('a step that hangs is killed at its timeout with every process it started', async () => {
    const tag = `lesson-hang-${process.pid}-${Date.now()}`;
    const run = await shell.run(`(exec -a ${tag} sleep 60) & echo started; exec -a ${tag} sleep 60`, 300);
    expect(run).toMatchObject({ exitCode: null, timedOut: true, output: 'started\n' });
    const { execaSync } = await import('execa');
    const left = execaSync('pgrep', ['-f', tag], { reject: false });
    expect(left.stdout).toBe('');
  });
});

test('a shell that cannot start answers every command with why, and closes', async () => {
  const shell = LessonShell.start({ cwd: '/nonexistent/lesson-folder', env: { PATH: process.env.PATH } });
  const queued = shell.run('echo hello', 5000);
  expect(await queued).toMatchObject({ exitCode: null, output: expect.stringMatching(/ENOENT/), timedOut: false });
  expect(shell.running).toBe(false);
  expect((await shell.run('echo again', 5000)).output).toMatch(/ENOENT/);
  await shell.close();
});

test('readProcStat reads the fields after a command name holding spaces and parentheses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-stat-'));
  try {
    const program = join(dir, 'a) b (c');
    copyFileSync('/bin/sleep', program);
    const child = spawn(program, ['30'], { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => child.once('spawn', resolve));
    try {
      expect(readProcStat(child.pid!)).toMatchObject({
        state: expect.stringMatching(/^[RS]$/),
        ppid: process.pid,
        pgrp: child.pid,
        session: child.pid,
        startTime: expect.stringMatching(/^\d+$/),
      });
    } finally {
      child.kill('SIGKILL');
    }
    expect(readProcStat(2 ** 22 + 1)).toBeUndefined();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
