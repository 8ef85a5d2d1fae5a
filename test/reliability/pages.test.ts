// Bad and hostile pages through the CLI: whatever a page holds, `plan`, `lint` and `new` run nothing from
// it, file steps write nowhere but the lesson's folder, and a page that cannot be read gets a clear
// message naming it, never a crash or a hang.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { cli, lesson, root } from '../helpers.js';

const work = mkdtempSync(join(tmpdir(), 'lesson-pages-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function pageFile(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(work, 'page-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

const strace = execaSync('sh', ['-c', 'command -v strace'], { reject: false }).exitCode === 0;
// Only strace sees every program a command starts: without it the test would check less than it says.
if (!strace) console.warn('"plan, lint and new never run anything from a page" skipped: strace is missing: run `bash scripts/setup.sh`');

describe.skipIf(!strace)('plan, lint and new never run anything from a page', () => {
  const marks = mkdtempSync(join(work, 'marks-'));
  // Every way a page says "run this": a file step, prompts (built-in and the page's own), a session,
  // inline code, a script block with a command substitution.
  const evil = [
    '---',
    'title: Evil',
    'requires: [docker, jq]',
    "prompts: ['evil> ']",
    '---',
    '# Evil',
    '',
    'payload.sh',
    '',
    '```sh',
    `touch ${marks}/file`,
    '```',
    '',
    '```console',
    `$ touch ${marks}/command`,
    `evil> touch ${marks}/prompt`,
    '$ docker run -it alpine',
    `/ # touch ${marks}/session`,
    '```',
    '',
    `\`touch ${marks}/inline\``,
    '',
    '```bash',
    `touch ${marks}/script $(touch ${marks}/substitution)`,
    '```',
    '',
  ].join('\n');

  test.each(['plan', 'plan --json', 'lint', 'new'])('lesson %s', async (name) => {
    const args = name.split(' ');
    const cwd = mkdtempSync(join(work, 'cwd-'));
    mkdirSync(join(cwd, 'lessons'));
    writeFileSync(join(cwd, 'lessons', 'evil.md'), evil);
    // `new` is given the name of the existing page, which it must refuse without reading further.
    const command = [...args, args[0] === 'new' ? 'evil' : 'lessons/evil.md'];
    const trace = join(cwd, 'execve.txt');
    const run = await execa('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', trace, 'node', cli, ...command], { cwd, reject: false, env: { NO_COLOR: '1' } });
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(marks)).toEqual([]);
    // The only program started is node itself.
    expect(readFileSync(trace, 'utf8').match(/execve\(/g)).toHaveLength(1);
  });
});

describe('file steps write only inside the lesson working directory', () => {
  test.each([
    ['a path with ..', '../escape.txt'],
    ['an absolute path', `${work}/absolute.txt`],
  ])('%s is refused by plan, with its line', async (_, path) => {
    const file = pageFile('escape.md', `# Escape\n\nSome text.\n\n\`\`\`text {file=${path}}\nhello\n\`\`\`\n`);
    const run = await lesson(['plan', file]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`${file}:5: file "${path}" would be written outside the lesson's working directory`);
  });

  test('a symlink that points out is refused when the step runs, under its file:line; nothing is written outside', async () => {
    const outside = mkdtempSync(join(work, 'outside-'));
    const file = pageFile(
      'link.md',
      ['# Link', '', '```console', `$ ln -s ${outside} out`, '```', '', 'out/note.txt', '', '```text', 'hello', '```', '', '```console', '$ echo never', '```', ''].join('\n'),
    );
    const run = await lesson(['run', file, '--snapshots', join(file, '..')], { env: { CI: '' } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`✗ ${file}:9  write out/note.txt.*\\n\\s+refusing to write out/note.txt: it leads outside the lesson's working directory`));
    expect(run.stdout).toContain(`○ ${file}:14  echo never`);
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('a page that cannot be read well', () => {
  const nested = (depth: number) => Array.from({ length: depth }, (_, i) => `${' '.repeat(2 * i)}- item\n`).join('');
  const blocks = (count: number) => Array.from({ length: count }, (_, i) => `## Part ${i}\n\nRun:\n\n\`\`\`console\n$ echo ${i}\n${i}\n\`\`\`\n\n`).join('');
  const cases: [string, string | Buffer, RegExp | number][] = [
    ['not UTF-8', Buffer.concat([Buffer.from('# Café\n\nline 3\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])]), /:4: not UTF-8 text \(byte offset 19\)$/],
    ['UTF-16 with a byte order mark', Buffer.from('\ufeff# Title\n', 'utf16le'), /:1: not UTF-8 text \(byte offset 0\)$/],
    ['over 2 MiB', `# Huge\n\n${'a line of prose, and another one. '.repeat(64 * 1024)}\n`, /: 2\.1 MiB is too large for a page \(the limit is 1 MiB\)$/],
    ['quotes nested 10,000 deep', `# Deep\n\n${'>'.repeat(10_000)} x\n`, /:3: nested too deeply to read/],
    ['a list nested 300 deep', nested(300), /:201: nested too deeply to read/],
    ['a list nested 150 deep: deeper than the tokenizer reads, refused at the line rather than dropped', nested(150), /:31: nested more than 62 levels deep/],
    ['emphasis nested 10,000 deep in a heading', `# ${'*a '.repeat(10_000)}b${'*'.repeat(10_000)}\n`, /: nested too deeply to read \(Maximum call stack size exceeded\)$/],
    ['5,000 sections and blocks', blocks(5000), 5000],
    ['an unclosed fence', '# Open\n\n```console\n$ echo one\none\n$ echo two\n', 2],
    ['a 4-backtick fence closed by 3', '# Four\n\n````console\n$ echo one\n```\n$ echo two\n', 2],
    ['NUL bytes and control characters', '# N\u0000ul\n\n```console\n$ echo \u0000\u0007\u001b[31m\n```\n', 1],
    ['nothing at all', '', 0],
  ];

  test.each(cases)('%s', async (_, content, expected) => {
    const file = pageFile('page.md', content);
    const lineCount = readFileSync(file, 'latin1').split('\n').length;
    // A ceiling, not a speed test: "no hang" means the answer comes.
    const run = await execa('node', [cli, 'plan', '--json', file], { cwd: root, reject: false, timeout: 30_000, env: { NO_COLOR: '1' } });
    expect(run.timedOut).toBe(false);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    if (typeof expected === 'number') {
      expect(run.exitCode, run.stderr).toBe(0);
      const { steps } = JSON.parse(run.stdout) as { steps: { line: number }[] };
      expect(steps).toHaveLength(expected);
      for (const step of steps) expect(step.line).toBeGreaterThanOrEqual(1), expect(step.line).toBeLessThanOrEqual(lineCount);
    } else {
      expect(run.exitCode).toBe(2);
      expect(run.stderr.trim()).toMatch(new RegExp(`^error ${file}${expected.source}`));
    }
  });

  test('a folder, a pipe and a device are refused, not read forever', async () => {
    const dir = mkdtempSync(join(work, 'special-'));
    mkdirSync(join(dir, 'folder.md'));
    execaSync('mkfifo', [join(dir, 'pipe.md')]);
    for (const file of [join(dir, 'folder.md'), join(dir, 'pipe.md'), '/dev/zero']) {
      const run = await execa('node', [cli, 'plan', file], { cwd: root, reject: false, timeout: 30_000, env: { NO_COLOR: '1' } });
      expect(run.exitCode).toBe(2);
      expect(run.stderr.trim()).toBe(`error ${file}: not a regular file`);
    }
    expect(existsSync(join(dir, 'pipe.md'))).toBe(true);
  });
});
