// `lesson check`: many lessons through the real CLI, with the fixtures in test/fixtures/check.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import xterm from '@xterm/headless';
import pty from 'node-pty';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { cli, dockerSkipReason, leftovers, lesson, root } from '../helpers.js';

/** How the failing fixture's step reads under its lesson, in a terminal or not. */
const failingStep = [
      '  ✗ test/fixtures/check/failing.md:9  echo "hello $((6 * 8))"',
      '    output differs from the snapshot',
      '    --- snapshot',
      '    +++ actual',
      '    @@ -1,1 +1,1 @@',
      '    -hello 42',
      '    +hello 48',
];

const fixtures = 'test/fixtures/check';
const snapshots = join(fixtures, 'snapshots');
const ci = { env: { CI: 'true' } };
const closing = /^\d+ passed, \d+ failed, \d+ skipped$/;

function check(args: string[], options: Parameters<typeof lesson>[1] = ci) {
  return lesson(['check', ...args, '--snapshots', snapshots], options);
}

interface JsonReport {
  summary: { passed: number; failed: number; skipped: number };
  lessons: {
    name: string;
    path: string;
    status: string;
    reason?: string;
    line?: number;
    snapshot: { file: string; written: boolean; obsolete: string[] };
    steps: { id: string; line: number; command?: string; status: string; output?: string; expected?: string; actual?: string; message?: string }[];
  }[];
}

describe('lesson check on a passing, a failing and a skipped lesson', () => {
  test('exits 1, prints each failure as one block, and ends with the closing line alone', async () => {
    const run = await check([fixtures, '--jobs', '2']);
    expect(run.exitCode).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines.at(-1)).toBe('1 passed, 1 failed, 1 skipped');
    expect(lines.filter((line) => closing.test(line))).toHaveLength(1);
    const start = lines.findIndex((line) => line.startsWith('✗ Failing test/fixtures/check/failing.md'));
    expect(lines.slice(start + 1, start + 8)).toEqual(failingStep);
    expect(run.stdout).toContain('- Needs a tool test/fixtures/check/needs-tool.md  skipped: no-such-program-for-lesson-tests not found on PATH');
  });

  test('a missing requirement skips the lesson and exits 0; with --no-skip it fails', async () => {
    const pages = [join(fixtures, 'needs-tool.md'), join(fixtures, 'plain.md')];
    const skipped = await check(pages);
    expect(skipped.exitCode).toBe(0);
    expect(skipped.stdout.split('\n').at(-1)).toBe('1 passed, 0 failed, 1 skipped');

    const strict = await check([...pages, '--no-skip', '--reporter', 'json']);
    expect(strict.exitCode).toBe(1);
    const report = JSON.parse(strict.stdout) as JsonReport;
    expect(report.summary).toEqual({ passed: 1, failed: 1, skipped: 0 });
    expect(report.lessons[0]).toMatchObject({ name: 'needs-tool', status: 'failed', reason: 'no-such-program-for-lesson-tests not found on PATH (--no-skip)' });
  });

  test.skipIf(process.getuid?.() !== 0)('as a user who cannot start a private engine, Docker lessons are skipped with the reason', async () => {
    // The checkout may sit where that user cannot go (a clone in /root, in a 0700 folder): the CLI and
    // the lessons it checks are copied to a folder made for it, in the same layout.
    const copy = mkdtempSync(join(tmpdir(), 'lesson-nobody-'));
    chmodSync(copy, 0o755);
    for (const path of ['dist', 'package.json', join(fixtures, 'docker'), snapshots]) cpSync(join(root, path), join(copy, path), { recursive: true });
    // setpriv drops root for the CLI alone: the real condition, not a simulated one.
    const run = await execa(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', join(copy, 'dist/cli/bin.cjs'), 'check', join(fixtures, 'docker'), '--snapshots', snapshots, '--reporter', 'json'],
      { cwd: copy, env: { CI: 'true', NO_COLOR: '1', HOME: copy }, reject: false },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.summary).toEqual({ passed: 0, failed: 0, skipped: 2 });
    expect(report.lessons[0]!.reason).toMatch(/^docker: a private Docker engine needs root/);
  });

  test('json: the full result, lesson by lesson and step by step', async () => {
    const run = await check([fixtures, '--reporter', 'json']);
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.summary).toEqual({ passed: 1, failed: 1, skipped: 1 });
    expect(report.lessons.map((l) => [l.path, l.status])).toEqual([
      ['test/fixtures/check/failing.md', 'failed'],
      ['test/fixtures/check/needs-tool.md', 'skipped'],
      ['test/fixtures/check/plain.md', 'passed'],
    ]);
    const [failing, skipped, plain] = report.lessons;
    expect(failing!.steps[0]).toMatchObject({ line: 9, status: 'failed', expected: 'hello 42\n', actual: 'hello 48\n', message: 'output differs from the snapshot' });
    expect(failing!.steps[1]).toMatchObject({ line: 11, status: 'passed', output: 'still runs after a failure\n' });
    expect(skipped!.steps).toEqual([expect.objectContaining({ status: 'skipped', message: skipped!.reason })]);
    expect(plain!.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'passed']);
    expect(plain!.snapshot).toEqual({ file: join(snapshots, 'plain.yaml'), written: false, obsolete: [] });
  });

  test('github: an error annotation at the failing step line, with the diff, and a notice for the skipped lesson', async () => {
    const run = await check([fixtures, '--reporter', 'github']);
    const annotations = run.stdout.split('\n').filter(Boolean);
    expect(annotations).toEqual([
      '::error file=test/fixtures/check/failing.md,line=9,title=Failing%3A echo "hello $((6 * 8))"::output differs from the snapshot%0A--- snapshot%0A+++ actual%0A@@ -1,1 +1,1 @@%0A-hello 42%0A+hello 48',
      '::notice file=test/fixtures/check/needs-tool.md,line=1,title=Needs a tool%3A skipped::no-such-program-for-lesson-tests not found on PATH',
    ]);
  });

  test('github-actions is the same reporter, by the name vitest gives it; default=FILE writes the progress there', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'lesson-log-')), 'check.log');
    const [github, aliased] = [await check([fixtures, '--reporter', 'github']), await check([fixtures, '--reporter', 'github-actions', '--reporter', `default=${log}`])];
    expect(aliased.stdout).toBe(github.stdout);
    const progress = readFileSync(log, 'utf8');
    expect(progress).toContain('  ✗ test/fixtures/check/failing.md:9  echo "hello $((6 * 8))"');
    expect(progress.endsWith('\n1 passed, 1 failed, 1 skipped\n')).toBe(true);
  });

  test('two reporters that each write a whole document cannot share stdout', async () => {
    const run = await check([fixtures, '--reporter', 'json', '--reporter', 'default']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--reporter json and --reporter default would both write to stdout');
  });
});

describe('--shard i/n', () => {
  test('the shards of a run are disjoint and together are the whole run', async () => {
    const paths = async (args: string[]) => (JSON.parse((await check([fixtures, ...args, '--reporter', 'json'])).stdout) as JsonReport).lessons.map((l) => l.path);
    const all = await paths([]);
    const [first, second] = [await paths(['--shard', '1/2']), await paths(['--shard', '2/2'])];
    expect(first.length + second.length).toBe(all.length);
    expect([...first, ...second].sort()).toEqual(all);
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
  });

  test('an empty shard passes with nothing to do', async () => {
    const run = await check([join(fixtures, 'plain.md'), '--shard', '2/2']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toBe('0 passed, 0 failed, 0 skipped');
  });
});

describe('bad usage exits 2 before anything runs', () => {
  test.each([
    [['--shard', '3/2'], '--shard takes i/n'],
    [['--jobs', '0'], "option '--jobs <n>' argument '0' is invalid"],
    [['--reporter', 'tap'], 'unknown reporter "tap"; known: default, junit, json, github'],
    [['--reporter', 'junit='], 'needs a file name'],
    [['test/fixtures/none/*.md'], 'no Markdown file matches test/fixtures/none/*.md'],
  ])('%j', async (args, message) => {
    const run = await check(args.includes('test/fixtures/none/*.md') ? args : [fixtures, ...args]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  test('two lessons that would share a snapshot file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-check-'));
    for (const sub of ['one', 'two']) {
      mkdirSync(join(dir, sub));
      writeFileSync(join(dir, sub, 'page.md'), '# Page\n\n```\necho hi\n```\n');
    }
    const run = await check([join(dir, 'one'), join(dir, 'two')]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`${join(dir, 'one/page.md')} and ${join(dir, 'two/page.md')} would share the snapshot ${join(snapshots, 'page.yaml')}`);
  });
});

describe('lessons in a folder of their own', () => {
  /** A project folder with lessons/ and snapshots/, as a user has it. */
  function project(pages: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-check-'));
    mkdirSync(join(dir, 'lessons'));
    for (const [name, text] of Object.entries(pages)) writeFileSync(join(dir, 'lessons', name), text);
    return dir;
  }
  const write = { env: { CI: 'false' } };

  test('no argument checks every page in lessons/; an unreadable page fails at its line and the others still run', async () => {
    const dir = project({
      'good.md': '# Good\n\n```console\n$ echo good\ngood\n```\n',
      'bad.md': '---\ntitle: Bad\ntimeout: soon\n---\n# Bad\n\n```\necho never\n```\n',
    });
    const run = await lesson(['check', '--reporter', 'github', '--reporter', 'default'], { cwd: dir, ...write });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('::error file=lessons/bad.md,line=3,title=bad%3A lesson failed::"timeout" must be a duration like 30s or 2m, got "soon"');
    expect(run.stdout.split('\n').at(-1)).toBe('1 passed, 1 failed, 0 skipped');
  });

  test('obsolete entries are reported, then removed by -u; two lessons updated at once keep all their entries', async () => {
    const pages = {
      'one.md': '# One\n\n```console\n$ echo one\n$ echo uno\n```\n',
      'two.md': '# Two\n\n```console\n$ echo two\n$ echo dos\n```\n',
    };
    const dir = project(pages);
    const record = await lesson(['check', '-u'], { cwd: dir, ...write });
    expect(record.exitCode).toBe(0);

    // The pages lose their last step: those snapshot entries become obsolete.
    for (const [name, text] of Object.entries(pages)) writeFileSync(join(dir, 'lessons', name), text.replace(/\$ echo (uno|dos)\n/, ''));
    const checked = await lesson(['check', '--reporter', 'json'], { cwd: dir, ...ci });
    expect(checked.exitCode).toBe(0);
    const report = JSON.parse(checked.stdout) as JsonReport;
    expect(report.lessons.map((l) => l.snapshot.obsolete)).toEqual([['one-1-2'], ['two-1-2']]);
    const people = await lesson(['check'], { cwd: dir, ...ci });
    expect(people.stdout).toContain('1 snapshot entry obsolete (remove with -u): one-1-2');

    const updated = await lesson(['check', '-u', '--jobs', '2'], { cwd: dir, ...write });
    expect(updated.exitCode).toBe(0);
    expect(updated.stdout).toContain('1 snapshot entry removed: two-1-2');
    const steps = (name: string) => parse(readFileSync(join(dir, 'snapshots', `${name}.yaml`), 'utf8')).steps as Record<string, { output: string }>;
    expect(steps('one')).toEqual({ 'one-1-1': expect.objectContaining({ output: 'one\n' }) });
    expect(steps('two')).toEqual({ 'two-1-1': expect.objectContaining({ output: 'two\n' }) });
  });
});

describe('in a terminal', () => {
  test('one live line per running lesson while it runs; afterwards only the results and the closing line remain', async () => {
    const columns = 120;
    const rows = 40;
    const child = pty.spawn('node', [cli, 'check', fixtures, '--snapshots', snapshots, '--jobs', '2'], {
      cols: columns,
      rows,
      cwd: root,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' } as Record<string, string>,
    });
    let raw = '';
    child.onData((data) => (raw += data));
    const exitCode = await new Promise<number>((resolve) => child.onExit((e) => resolve(e.exitCode)));
    expect(exitCode).toBe(1);
    // Drawn when each step starts, not on a timer: the plain lesson's live line shows its first step.
    expect(raw).toMatch(/Plain shell {2}0\/3 ─+ \S+ {2}write greeting\.txt/);

    const screen = new xterm.Terminal({ cols: columns, rows, allowProposedApi: true });
    await new Promise<void>((resolve) => screen.write(raw, resolve));
    const buffer = screen.buffer.active;
    const text = Array.from({ length: buffer.length }, (_, i) => buffer.getLine(i)!.translateToString(true)).join('\n').trim();
    // Lessons end in whatever order they finish; durations vary.
    const lines = text.split('\n').map((line) => line.replace(/ [\d.]+m?s$/, ' <time>'));
    const failing = [
      '✗ Failing test/fixtures/check/failing.md  1 of 2 steps failed <time>',
      ...failingStep,
    ];
    const start = lines.indexOf(failing[0]!);
    expect(lines.slice(start, start + failing.length)).toEqual(failing);
    expect(lines.at(-1)).toBe('1 passed, 1 failed, 1 skipped');
    expect([...lines].sort()).toEqual(
      [
        ...failing,
        '- Needs a tool test/fixtures/check/needs-tool.md  skipped: no-such-program-for-lesson-tests not found on PATH',
        '✓ Plain shell test/fixtures/check/plain.md  3 steps <time>',
        '1 passed, 1 failed, 1 skipped',
      ].sort(),
    );
  });
});

const noDocker = dockerSkipReason();
if (noDocker) console.warn(`skipping the parallel Docker lessons: ${noDocker}`);

describe.skipIf(noDocker)('two Docker lessons side by side, each on its own private engine', () => {
  const barrier = mkdtempSync(join(tmpdir(), 'lesson-barrier-'));
  // The run's own TMPDIR (short: engine sockets must fit in 108 bytes) tells its engines from any other on the machine.
  const runTmp = mkdtempSync('/tmp/lc-');
  afterAll(() => {
    rmSync(barrier, { recursive: true, force: true });
    rmSync(runTmp, { recursive: true, force: true });
  });
  const ours = () => {
    const { processes, mounts } = leftovers();
    return [...processes, ...mounts].filter((line) => line.includes(runTmp));
  };

  test('each sees only its own network, image and containers while the other is up, and nothing is left behind', async () => {
    // The lessons meet at a pair of FIFOs: each lists its engine only once the other's container is running.
    execaSync('mkfifo', [join(barrier, 'a-up'), join(barrier, 'b-up')]);
    // The two lessons meet at FIFOs of the test's, outside their sandboxes.
    const run = await check([join(fixtures, 'docker'), '--jobs', '2', '--reporter', 'json', '--no-sandbox'], { env: { CI: 'true', BARRIER: barrier, TMPDIR: runTmp } });
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.lessons.map((l) => [l.name, l.status])).toEqual([
      ['isolation-a', 'passed'],
      ['isolation-b', 'passed'],
    ]);
    for (const [lessonReport, own] of [[report.lessons[0]!, 'isolation-a'], [report.lessons[1]!, 'isolation-b']] as const) {
      const output = (command: string) => lessonReport.steps.find((s) => s.command?.startsWith(command))!.output;
      expect(output('docker run -d')).toMatch(/^<id-\d+>\n$/);
      // The web container is the only one, and the last one: `docker container ls -lq` stays right.
      expect(output("docker container ls -a --format '{{.Names}}")).toBe('web alpine\n');
      expect(output('docker container ls -lq')).toBe(output('docker run -d'));
      // Reached by name from another container on the lesson's own network.
      expect(output('docker run --rm --network lessonnet')).toBe(output('docker run -d'));
      expect(output('docker image ls')).toBe(`alpine\n${own}\n`);
    }
    expect(readdirSync(barrier).sort()).toEqual(['a-met', 'a-up', 'b-met', 'b-up']);
    expect(run.exitCode).toBe(0);
    expect(ours()).toEqual([]);
    expect(readdirSync(runTmp)).toEqual([]);
  });
});
