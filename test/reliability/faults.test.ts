// Faults injected into real runs: steps that hang, an engine killed mid-lesson, a snapshot folder that
// fills up or turns read-only while it is written, two recordings of one lesson at once. Each run must
// report the step at fault by file:line, lose no recorded snapshot, and leave nothing behind.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { cli, dockerSkipReason, root } from '../helpers.js';
import { Footprint } from './footprint.js';

const skip = dockerSkipReason();
if (skip) console.warn(`Docker fault tests skipped: ${skip}`);

const work = mkdtempSync(join(tmpdir(), 'lesson-faults-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function page(name: string, lines: string[]): string {
  const dir = mkdtempSync(join(work, `${name}-`));
  const file = join(dir, `${name}.md`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** The line of the page that holds `text`, 1-based. */
function lineOf(file: string, text: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(text)) + 1;
}

/**
 * `lesson` as a child, in its own TMPDIR, with its output as it comes. The faults are injected by the
 * pages' own steps (a file of the test's touched, a folder filled up or remounted): outside the sandbox.
 */
function start(args: string[], footprint: Footprint) {
  const child = execa('node', [cli, ...args, '--no-sandbox'], { cwd: root, env: { NO_COLOR: '1', CI: '', ...footprint.env }, all: true, reject: false });
  let output = '';
  child.all!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return { child, output: () => output };
}

async function until(condition: () => boolean, what: string, child?: { exitCode: number | null }): Promise<void> {
  while (!condition()) {
    if (child && child.exitCode !== null) throw new Error(`lesson exited before ${what}`);
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

describe.skipIf(skip)('a step that hangs is killed at its timeout, and the run names it and leaves nothing', () => {
  test.each([
    [
      'a foreground container, a background child and a daemonized one',
      ['$ docker run -d alpine sleep 1000', '$ (setsid sleep 1002 &); sleep 1001 & docker run alpine sleep 1000'],
      'setsid sleep 1002',
    ],
    ['a session that never returns to its prompt', ['$ docker run -it alpine', '/ # sleep 1000'], 'docker run -it alpine'],
    ['tail -f', ['$ tail -f /dev/null'], 'tail -f'],
  ])('%s', async (_, commands, hanging) => {
    // Kept in the foreground: a `tail -f` would otherwise run in the background, until the lesson's end.
    const file = page('hang', ['---', 'requires: [docker]', 'timeout: 2s', '---', '# Hang', '', '<!-- lesson: background=false -->', '```console', ...commands, '```', '', '```console', '$ echo never', '```']);
    const footprint = new Footprint();
    try {
      const run = await start(['run', file, '--snapshots', join(file, '..')], footprint).child;
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toMatch(new RegExp(`✗ ${file}:${lineOf(file, hanging)} .*\\n\\s+timed out after 2s`));
      expect(run.stdout).toContain(`○ ${file}:${lineOf(file, 'echo never')}  echo never`);
      expect(footprint.now()).toEqual([]);
      // The snapshot may record the steps before the hang, never the hang.
      const snapshot = join(file, '..', 'hang.yaml');
      expect(existsSync(snapshot) ? readFileSync(snapshot, 'utf8') : '').not.toContain(hanging);
    } finally {
      footprint.remove();
    }
  });
});

describe.skipIf(skip)('the engine killed mid-lesson', () => {
  test.each([
    ['while a step waits on something else', 'sleep 1000'],
    ['while a step talks to it', 'docker run alpine sleep 1000'],
  ])('%s: the step fails saying so, the rest is not run, nothing is left', async (_, waiting) => {
    const dir = mkdtempSync(join(work, 'dies-'));
    const ready = join(dir, 'ready');
    const file = join(dir, 'dies.md');
    const lines = ['---', 'requires: [docker]', 'timeout: 10m', '---', '# Dies', '', '```console', '$ docker run -d alpine sleep 1000', `$ touch ${ready} && ${waiting}`, '$ echo never', '```'];
    writeFileSync(file, lines.join('\n') + '\n');
    const footprint = new Footprint();
    try {
      const { child } = start(['run', file, '--snapshots', dir], footprint);
      // Two `sleep 1000` up: the first container's, and the hanging step's own or its container's.
      const sleeping = () => footprint.now().filter((line) => line.endsWith(': sleep 1000')).length;
      await until(() => existsSync(ready) && sleeping() >= 2, 'the step hung', child);
      const dockerd = footprint.now().find((line) => /^process \d+: dockerd /.test(line));
      expect(dockerd).toBeDefined();
      process.kill(Number(/^process (\d+)/.exec(dockerd!)![1]), 'SIGKILL');
      const run = await child;
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toMatch(new RegExp(`✗ ${file}:9 .*\\n\\s+the Docker engine stopped during this step: dockerd was killed by SIGKILL`));
      expect(run.stdout).toContain(`○ ${file}:10  echo never`);
      expect(footprint.now()).toEqual([]);
    } finally {
      footprint.remove();
    }
  });
});

const notRoot = process.getuid?.() === 0 ? undefined : 'mounting a small tmpfs needs root';

/** A tmpfs of `size` mounted on a new folder for the duration of `use`, then unmounted. */
async function onTmpfs(size: string, use: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(work, 'tmpfs-'));
  execaSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  try {
    await use(dir);
  } finally {
    execaSync('umount', [dir]);
  }
}

function record(file: string, snapshots: string, ...more: string[]) {
  return execa('node', [cli, 'run', file, '--snapshots', snapshots, '--no-sandbox', ...more], { cwd: root, env: { NO_COLOR: '1', CI: '' }, all: true, reject: false });
}

describe.skipIf(notRoot)('the snapshots folder fails while -u writes: the recorded snapshot stays whole', () => {
  test.each([
    ['fills up', (dir: string) => `head -c 1G /dev/zero > ${dir}/filler 2>/dev/null; true`, 'ENOSPC'],
    ['turns read-only', (dir: string) => `mount -o remount,ro ${dir}`, 'EROFS'],
  ])('the folder %s during the run', async (_, fault, code) => {
    await onTmpfs('256k', async (snapshots) => {
      const file = page('full', ['# Full', '', '```console', '$ seq 1 100', '```']);
      expect((await record(file, snapshots, '-u')).exitCode).toBe(0);
      const recorded = readFileSync(join(snapshots, 'full.yaml'), 'utf8');
      writeFileSync(file, ['# Full', '', '```console', `$ ${fault(snapshots)}`, '$ seq 1 5000', '```', ''].join('\n'));

      const run = await record(file, snapshots, '-u');
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(`${join(snapshots, 'full.yaml')}: cannot write the snapshot (${code}`);
      expect(run.stderr).toContain('the recorded one is unchanged');
      expect(readFileSync(join(snapshots, 'full.yaml'), 'utf8')).toBe(recorded);
      // No temp file; a lock only where the folder no longer lets anything be removed.
      const left = readdirSync(snapshots).filter((name) => name !== 'filler');
      expect(left).toEqual(code === 'EROFS' ? ['full.yaml', 'full.yaml.lock'] : ['full.yaml']);

      // Once there is room again, the next recording takes over such a lock: its process is gone.
      execaSync('mount', ['-o', 'remount,rw', snapshots]);
      rmSync(join(snapshots, 'filler'), { force: true });
      writeFileSync(file, ['# Full', '', '```console', '$ seq 1 5000', '```', ''].join('\n'));
      expect((await record(file, snapshots, '-u')).exitCode).toBe(0);
      expect(readdirSync(snapshots)).toEqual(['full.yaml']);
      expect(readFileSync(join(snapshots, 'full.yaml'), 'utf8')).toContain('5000');
    });
  });
});

describe('two recordings of one lesson at once', () => {
  test('the second is refused, naming the lock and the pid holding it; the first writes the whole snapshot', async () => {
    const dir = mkdtempSync(join(work, 'twice-'));
    const gate = join(dir, 'gate');
    const file = join(dir, 'twice.md');
    writeFileSync(file, ['# Twice', '', '```console', '$ seq 1 3', `$ until [ -e ${gate} ]; do sleep 0.01; done`, '```', ''].join('\n'));
    const first = record(file, dir, '-u');
    let output = '';
    first.all!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    // The header is printed once the lock is held.
    await until(() => output.includes(file), 'the first run started', first);

    const second = await record(file, dir, '-u');
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toContain(`${join(dir, 'twice.yaml.lock')}: the snapshot is locked by another lesson process (pid ${first.pid})`);

    writeFileSync(gate, '');
    expect((await first).exitCode).toBe(0);
    expect(readdirSync(dir).filter((name) => name.startsWith('twice.yaml'))).toEqual(['twice.yaml']);
    expect(readFileSync(join(dir, 'twice.yaml'), 'utf8')).toContain('      1\n      2\n      3\n');
  });

  test.each([
    ['a pid no process has', '4194304 1\n'],
    ['a pid that now names another process', '1 123\n'],
    ['nothing readable', 'garbage'],
  ])('a lock left by a process that died (%s) is taken over', async (_, content) => {
    const dir = mkdtempSync(join(work, 'stale-'));
    const file = join(dir, 'stale.md');
    writeFileSync(file, '# Stale\n\n```console\n$ echo fine\n```\n');
    writeFileSync(join(dir, 'stale.yaml.lock'), content);
    const run = await record(file, dir, '-u');
    expect(run.exitCode, run.all).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['stale.md', 'stale.yaml']);
  });
});

describe('a corrupted or hand-edited snapshot', () => {
  test.each([
    ['a YAML error', (text: string) => text.replace('    exit: 0\n', '    exit: 0\n   output: [\n'), /:\d+: not a readable snapshot/],
    ['a step without its exit', (text: string) => text.replace('    exit: 0\n', ''), /:\d+: not a readable snapshot: step "[^"]+" has no numeric "exit"/],
    ['a step twice, as a bad merge leaves it', (text: string) => text + text.slice(text.indexOf('steps:\n') + 7), /:\d+: not a readable snapshot: step "[^"]+" appears twice/],
    ['bytes that are not UTF-8', (text: string) => text.replace('hello', 'h\xe9llo'), /:\d+: not UTF-8 text \(byte offset \d+\)/],
    ['aliases that expand without bound', (text: string) => `${text}x: &a [1,1,1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nw: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`, /: not a readable snapshot/],
  ])('with %s is an error naming the file and line, and is never overwritten, -u included', async (_, edit, message) => {
    const dir = mkdtempSync(join(work, 'edited-'));
    const file = join(dir, 'edited.md');
    writeFileSync(file, '# Edited\n\n```console\n$ echo hello\n```\n');
    expect((await record(file, dir, '-u')).exitCode).toBe(0);
    const snapshot = join(dir, 'edited.yaml');
    const broken = Buffer.from(edit(readFileSync(snapshot, 'utf8')), 'latin1');
    writeFileSync(snapshot, broken);
    for (const flags of [[], ['-u']]) {
      const run = await record(file, dir, ...flags);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(snapshot);
      expect(run.stderr).toMatch(message);
      expect(readFileSync(snapshot)).toEqual(broken);
    }
  });
});
