// Commands that keep running while the page goes on, run for real by the CLI: started at their step,
// collecting what later steps make them print, stopped where the page says (a stop annotation, a ^C, its
// own pkill) or at the lesson's end, judged then, and nothing of them left once the CLI returns, even
// when a Ctrl-C cuts the run short while they run. Servers listen on 127.0.0.1 only.
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { Snapshot } from '../../src/types.js';
import { cli, dockerSkipReason, lesson, root } from '../helpers.js';
import { Footprint } from '../reliability/footprint.js';

const work = mkdtempSync(join(tmpdir(), 'lesson-background-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pages = join(root, 'test/fixtures/pages');
const noDocker = dockerSkipReason();
if (noDocker) console.warn(`skipping the background steps on a private engine: ${noDocker}`);
const noPkill = execaSync('sh', ['-c', 'command -v pkill'], { reject: false }).exitCode === 0 ? undefined : 'pkill (procps) is missing';

/** The recorded outputs of a snapshot file, by step id. */
function outputs(file: string): Record<string, string> {
  const snapshot = parse(readFileSync(file, 'utf8')) as Snapshot;
  return Object.fromEntries(Object.entries(snapshot.steps).map(([id, entry]) => [id, entry.output]));
}

/** Whether something answers on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Records the page, then checks it in CI mode against what it recorded; both leave nothing behind. */
async function recordThenCheck(page: string): Promise<{ record: string; check: string; snapshot: string }> {
  const dir = mkdtempSync(join(work, 'run-'));
  const footprint = new Footprint();
  try {
    const recorded = await lesson(['run', page, '--snapshots', dir], { env: footprint.env });
    expect(recorded.exitCode, recorded.all).toBe(0);
    expect(footprint.now()).toEqual([]);
    const checked = await lesson(['run', page, '--snapshots', dir], { env: { ...footprint.env, CI: 'true' } });
    expect(checked.exitCode, checked.all).toBe(0);
    expect(footprint.now()).toEqual([]);
    const name = page.replace(/^.*\//, '').replace(/\.md$/, '');
    return { record: recorded.stdout, check: checked.stdout, snapshot: join(dir, `${name}.yaml`) };
  } finally {
    footprint.remove();
  }
}

describe.skipIf(noDocker)('docker logs -f of a container started with -d, on a private engine', () => {
  test('it collects what a later step makes the container say, and is stopped and judged at the lesson end', async () => {
    const page = join(pages, 'background-logs.md');
    const { record, check, snapshot } = await recordThenCheck(page);
    // "three" comes from the docker exec two blocks later: the log was followed while the page went on.
    expect(outputs(snapshot)['follow-a-containers-log-2']).toBe('one\ntwo\nthree\n');
    for (const out of [record, check]) {
      const lines = out.split('\n');
      const started = lines.findIndex((line) => line.includes(`⇢ ${page}:17  docker logs -f talker  (in the background until the lesson ends)`));
      const later = lines.findIndex((line) => line.includes(`${page}:31  docker ps`));
      const judged = lines.findIndex((line) => /^ {2}[+✓] .*:17 {2}docker logs -f talker \d/.test(line));
      expect([started >= 0, started < later, later < judged], out).toEqual([true, true, true]);
    }
    expect(check).toMatch(/4 passed, 0 failed, 0 skipped/);
  });
});

describe('a server started in another terminal, on 127.0.0.1', () => {
  test('it serves the later block, is stopped by the stop annotation before the block after, and logged the request', async () => {
    const page = join(pages, 'background-server.md');
    const { check, snapshot } = await recordThenCheck(page);
    const recorded = outputs(snapshot);
    expect(recorded['a-server-in-another-terminal-2']).toBe('127.0.0.1:<port>: url:/\n127.0.0.1:<port>: response:200\n');
    expect(recorded['a-server-in-another-terminal-3']).toBe('hello\n');
    expect(recorded['a-server-in-another-terminal-4']).toBe("wget: can't connect to remote host (127.0.0.1): Connection refused\ndown\n");
    // Judged when stopped: after the fetch at line 28, before the block after the annotation.
    const lines = check.split('\n');
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const order = [at(/⇢ .*:20 {2}busybox httpd/), at(/✓ .*:28 {2}busybox wget/), at(/✓ .*:20 {2}busybox httpd/), at(/✓ .*:36 {2}busybox wget/)];
    expect(order, check).toEqual([...order].sort((a, b) => a - b));
    expect(order[0], check).toBeGreaterThanOrEqual(0);
    expect(await listening(18765)).toBe(false);
  });

  test('checked against its page, the lines the page shows need only appear in order; a line that never shows fails', async () => {
    const dir = mkdtempSync(join(work, 'page-'));
    const source = readFileSync(join(pages, 'background-server.md'), 'utf8').replace('title: A server in another terminal', 'title: checked\ncheck-page: true');
    const good = join(dir, 'good.md');
    writeFileSync(good, source);
    const passed = await lesson(['run', good, '--snapshots', dir]);
    expect(passed.exitCode, passed.all).toBe(0);
    expect(passed.stdout).toMatch(/4 passed, 0 failed/);

    const bad = join(dir, 'bad.md');
    writeFileSync(bad, source.replace('127.0.0.1:40312: response:200', '127.0.0.1:40312: response:404'));
    const failed = await lesson(['run', bad, '--snapshots', dir]);
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toMatch(new RegExp(`✗ ${bad}:21  busybox httpd .*\\n\\s+page output matches 1/2 lines`));

    // The reports show it like any other step: in page order, with its line, status and output.
    const reports = await lesson(['check', bad, '--snapshots', dir, '--reporter', 'github', '--reporter', `json=${dir}/r.json`, '--reporter', `junit=${dir}/r.xml`]);
    expect(reports.exitCode).toBe(1);
    expect(reports.stdout).toContain(`::error file=${bad},line=21,`);
    const json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { lessons: { steps: { line: number; status: string; output?: string }[] }[] };
    expect(json.lessons[0]?.steps.map((step) => [step.line, step.status])).toEqual([[14, 'passed'], [21, 'failed'], [29, 'passed'], [37, 'passed']]);
    expect(json.lessons[0]?.steps[1]?.output).toBe('127.0.0.1:<port>: url:/\n127.0.0.1:<port>: response:200\n');
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toMatch(/<testcase name="21: busybox httpd[^>]*line="21"[^>]*>\s*<failure message="page output matches 1\/2 lines"/);
  });
});

describe.skipIf(noPkill)("stops the page shows: a ^C under the command, the page's own pkill", () => {
  test('tail -f stops at its ^C, before the next line; the server ends with the pkill; the last follower at the end', async () => {
    const { snapshot } = await recordThenCheck(join(pages, 'background-stops.md'));
    const recorded = outputs(snapshot);
    // Stopped before `echo second`: it never saw the second line.
    expect(recorded['where-the-page-stops-them-2']).toBe('first\n');
    expect(recorded['where-the-page-stops-them-5']).toBe('first\nsecond\n');
    expect(recorded['where-the-page-stops-them-7']).toBe("wget: can't connect to remote host (127.0.0.1): Connection refused\ngone\n");
    expect(recorded['where-the-page-stops-them-8']).toBe('first\nsecond\n');
    expect(readFileSync(snapshot, 'utf8')).toMatch(/where-the-page-stops-them-4:\n\s+line: 17\n.*\n\s+exit: 0\n/);
  });
});

describe('a background command that ignores Ctrl-C', () => {
  test('is ended after a grace (SIGTERM, then SIGKILL), counts as stopped by the lesson (status 0), and leaves nothing', async () => {
    const dir = mkdtempSync(join(work, 'stubborn-'));
    const page = join(dir, 'stubborn.md');
    writeFileSync(page, ['# Stubborn', '', 'In another terminal:', '', '```console', "$ trap '' INT; while :; do sleep 0.1; done", '```', '', 'Then:', '', '```console', '$ echo done', '```', ''].join('\n'));
    const footprint = new Footprint();
    try {
      const run = await lesson(['run', page, '--snapshots', dir], { env: footprint.env });
      expect(run.exitCode, run.all).toBe(0);
      expect(readFileSync(join(dir, 'stubborn.yaml'), 'utf8')).toMatch(/\n\s+line: 6\n.*\n\s+exit: 0\n/);
      expect(footprint.now()).toEqual([]);
    } finally {
      footprint.remove();
    }
  });
});

describe('Ctrl-C while a command runs in the background', () => {
  const cases: [string, string | undefined, string[], RegExp][] = [
    // It ignores the hangup of its terminal and Ctrl-C: only the teardown's kill ends it.
    ['a server', undefined, ['In another terminal:', '', '```console', "$ trap '' HUP INT; exec busybox httpd -f -p 127.0.0.1:18767 -h .", '```'], /: busybox httpd -f -p 127\.0\.0\.1:18767/],
    ['docker logs -f', noDocker, ['```console', "$ docker run -d --name talker alpine sh -c 'echo hi; exec sleep 1001'", '$ docker logs -f talker', '```'], /: docker logs -f talker$/m],
  ];
  test.each(cases)('%s: the CLI ends with 130, nothing left; the background step and the running one are interrupted', async (_, skip, blocks, runs) => {
    if (skip) return console.warn(`skipped: ${skip}`);
    const dir = mkdtempSync(join(work, 'int-'));
    const page = join(dir, 'hang.md');
    const lines = ['---', 'timeout: 10m', '---', '# Hang', '', ...blocks, '', 'Meanwhile:', '', '```console', '$ sleep 1000', '```', ''];
    writeFileSync(page, lines.join('\n'));
    const footprint = new Footprint();
    try {
      const child = execa('node', [cli, 'run', page, '--snapshots', dir], { cwd: root, env: { NO_COLOR: '1', CI: '', ...footprint.env }, all: true, reject: false });
      let output = '';
      child.all?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      let during = '';
      while (!(runs.test(during) && /: sleep 1000$/m.test(during))) {
        if (child.exitCode !== null) throw new Error(`lesson exited before the steps ran:\n${output}`);
        await new Promise((wait) => setTimeout(wait, 50));
        during = footprint.now().join('\n');
      }
      child.kill('SIGINT');
      const ended = await child;
      expect(footprint.now(), output).toEqual([]);
      expect(ended.exitCode, output).toBe(130);
      const background = lines.findIndex((line) => /httpd|logs -f/.test(line)) + 1;
      expect(output).toMatch(new RegExp(`^ {2}■ ${page}:${background} .*\\n {4}interrupted by SIGINT$`, 'm'));
      expect(output).toMatch(new RegExp(`^ {2}■ ${page}:${lines.indexOf('$ sleep 1000') + 1} {2}sleep 1000`, 'm'));
      expect(await listening(18767)).toBe(false);
    } finally {
      footprint.remove();
    }
  });
});
