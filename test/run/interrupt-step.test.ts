// Ctrl-C while a step runs (a `docker build`, a `docker run -it`, a plain command): the CLI returns with
// nothing of its run left on the machine (engine, shims, containers, mounts, cgroups, folders), looked for
// the moment it returns, and its report says which step was interrupted, which did not run, and that
// the run was interrupted. How fast it ends is measured by bench/, not asserted: the ceiling catches a hang.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { cli, dockerSkipReason, root } from '../helpers.js';
import { Footprint } from '../reliability/footprint.js';

const skip = dockerSkipReason();
if (skip) console.warn(`interrupt-during-a-step tests skipped: ${skip}`);

const work = mkdtempSync(join(tmpdir(), 'lesson-int-step-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Each case: the page's steps, the one that hangs (its line), and the process that shows it hangs. */
const cases: [string, string[], string, RegExp][] = [
  [
    'a docker build',
    ['```Dockerfile {file=Dockerfile}', 'FROM alpine', 'RUN sleep 1000', '```', '', '```console', '$ docker build -q -t slow .', '```'],
    'docker build',
    /^process \d+: sleep 1000$/m,
  ],
  ['a docker run -it', ['```console', '$ docker run -it alpine', '/ # sleep 1000', '```'], 'docker run -it', /^process \d+: sleep 1000$/m],
  ['a plain command', ['```console', '$ docker run -d alpine sleep 1001', '$ sleep 1000', '```'], 'sleep 1000', /^process \d+: sleep 1000$/m],
];

describe.skipIf(skip)('an interrupt during a step', () => {
  test.each(cases)('during %s: nothing is left when the CLI returns; the step is reported interrupted, the rest not run', async (_, blocks, hanging, hangs) => {
    const dir = mkdtempSync(join(work, 'case-'));
    const page = join(dir, 'hang.md');
    const lines = ['---', 'requires: [docker]', 'timeout: 10m', '---', '# Hang', '', ...blocks, '', '```console', '$ echo after', '```', ''];
    writeFileSync(page, lines.join('\n'));
    const hangingLine = lines.findIndex((line) => line.includes(hanging)) + 1;
    const footprint = new Footprint();
    try {
      const child = execa('node', [cli, 'run', page, '--snapshots', dir], { cwd: root, env: { NO_COLOR: '1', CI: '', ...footprint.env }, all: true, reject: false });
      let output = '';
      child.all!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      // The census sees the step hang, and the engine with its shim, or its being empty later proves nothing.
      let during = '';
      while (!hangs.test(during)) {
        if (child.exitCode !== null) throw new Error(`lesson exited before the step hung:\n${output}`);
        await new Promise((wait) => setTimeout(wait, 50));
        during = footprint.now().join('\n');
      }
      expect(during).toMatch(/: dockerd /);
      expect(during).toMatch(/: \S*containerd-shim/);
      expect(during).toMatch(/^mount /m);

      const sent = performance.now();
      child.kill('SIGINT');
      const ended = await child;
      const left = footprint.now();
      const elapsed = performance.now() - sent;
      console.info(`${hanging}: the CLI returned ${Math.round(elapsed)} ms after SIGINT`);
      expect(left, output).toEqual([]);
      expect(ended.exitCode, output).toBe(130);
      expect(elapsed, output).toBeLessThan(10_000);
      expect(output).toMatch(new RegExp(`^ {2}■ ${page}:${hangingLine} .*\\n {4}interrupted by SIGINT$`, 'm'));
      expect(output).toMatch(new RegExp(`^ {2}○ ${page}:${lines.indexOf('$ echo after') + 1} {2}echo after$`, 'm'));
      expect(output.trimEnd().split('\n').at(-1)).toMatch(/^\d+ passed, \d+ failed, 0 skipped \(1 interrupted, 1 not run\): the run was interrupted by SIGINT$/);
    } finally {
      footprint.remove();
    }
  });
});

describe('an interrupted check', () => {
  test('writes every report: the running step interrupted, the rest and the lesson not started not run, the closing line saying so', async () => {
    const dir = mkdtempSync(join(work, 'check-'));
    const ready = join(dir, 'ready');
    writeFileSync(join(dir, 'a-hang.md'), ['# Hang', '', '```console', '$ echo before', `$ touch ${ready} && sleep 1000`, '$ echo after', '```', ''].join('\n'));
    writeFileSync(join(dir, 'b-later.md'), ['# Later', '', '```console', '$ echo later', '```', ''].join('\n'));
    const reports = join(dir, 'reports');
    // The page tells the test where it stands by touching a file of the test's: outside the sandbox.
    const child = execa(
      'node',
      [cli, 'check', dir, '--jobs', '1', '--snapshots', dir, '--no-sandbox', '--reporter', 'default', '--reporter', 'github', '--reporter', `json=${reports}/r.json`, '--reporter', `junit=${reports}/r.xml`, '--reporter', `html=${reports}/r.html`],
      { cwd: root, env: { NO_COLOR: '1', CI: '' }, all: true, reject: false },
    );
    while (!existsSync(ready)) {
      if (child.exitCode !== null) throw new Error(`lesson exited before the step hung:\n${(await child).all}`);
      await new Promise((wait) => setTimeout(wait, 50));
    }
    child.kill('SIGINT');
    const ended = await child;
    expect(ended.exitCode, ended.all).toBe(130);
    const page = join(dir, 'a-hang.md');
    expect(ended.stdout).toContain(`■ ${page}:5  touch ${ready} && sleep 1000`);
    expect(ended.stdout).toContain(`::error file=${page},line=5,`);
    expect(ended.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 2 failed, 0 skipped: the run was interrupted by SIGINT');

    const json = JSON.parse(readFileSync(join(reports, 'r.json'), 'utf8')) as { interrupted: string; lessons: { name: string; status: string; steps: { status: string; message?: string }[] }[] };
    expect(json.interrupted).toBe('SIGINT');
    expect(json.lessons.map((l) => [l.name, l.status, l.steps.map((s) => s.status)])).toEqual([
      ['a-hang', 'failed', ['written', 'interrupted', 'not-run']],
      ['b-later', 'failed', ['not-run']],
    ]);
    expect(json.lessons[0]!.steps[1]!.message).toBe('interrupted by SIGINT');
    expect(readFileSync(join(reports, 'r.xml'), 'utf8')).toContain('<error type="interrupted" message="interrupted by SIGINT"/>');
    expect(readFileSync(join(reports, 'r.html'), 'utf8')).toMatch(/class="badge interrupted"/);
    // A run cut short records nothing: the first step's new entry is not written.
    expect(existsSync(join(dir, 'a-hang.yaml'))).toBe(false);
  });
});
