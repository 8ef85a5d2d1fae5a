// `lesson fix` for real, on pages that need nothing but a shell: drifted outputs in every plain block
// shape written back as they ran, output lines only; the fixed page passes `--check-page`; a second
// fix changes nothing; --dry-run, -i in a real terminal, and a page edited while it runs.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pty from 'node-pty';
import { describe, expect, test } from 'vitest';
import { sourceLines } from '../../src/fix/lines.js';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';
import type { OutputPlace } from '../../src/plan/places.js';
import { cli, lesson } from '../helpers.js';

const drifted = [
  '# Drifted',
  '',
  '```console',
  '$ echo "hello $((6 * 7))"',
  'hello 43',
  '$ seq 1 5',
  '1',
  '...',
  '4',
  '$ date -u +%Y-%m-%dT%H:%M:%SZ',
  '2020-01-01T00:00:00Z',
  '```',
  '',
  'With no prompt:',
  '',
  '```sh',
  'echo one two',
  'one three',
  '```',
  '',
  '1. In a list:',
  '',
  '   ```console',
  "   $ printf 'a\\nb\\n'",
  '   a',
  '   c',
  '   ```',
  '',
  '> ```console',
  '> $ echo quoted',
  '> quotd',
  '> ```',
  '',
  '`notes.txt`:',
  '',
  '```',
  'new notes',
  'line two',
  '```',
  '',
  '```console',
  '$ cat notes.txt',
  '```',
  '',
  'You should see:',
  '',
  '```text',
  'old notes',
  '```',
  '',
  '```console',
  '$ echo shows-nothing',
  '```',
  '',
].join('\n');

/** The page without its output lines, each with its ending: what a fix leaves byte for byte. */
function skeleton(source: string): string[] {
  const places = new Map<string, OutputPlace>();
  planLesson(readPage(source, 'page.md', 'page'), places);
  const output = new Set([...places.values()].flatMap((place) => place.parts.flatMap((part) => part.lines)));
  return sourceLines(source).flatMap((line, index) => (output.has(index + 1) ? [] : [line.text + line.end]));
}

function page(text: string, name = 'drifted.md'): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-fix-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return { dir, path };
}

describe('lesson fix', () => {
  test.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('%s page: each drifted block gets what ran, output lines only; it then passes --check-page, and a second fix changes nothing', async (_, eol) => {
    const source = drifted.replaceAll('\n', eol);
    const { dir, path } = page(source);
    const fix = await lesson(['fix', path, '--snapshots', dir]);
    expect(fix.exitCode).toBe(0);
    expect(fix.stdout).toContain(`${path}: 6 blocks fixed`);
    const fixed = readFileSync(path, 'utf8');
    expect(skeleton(fixed)).toEqual(skeleton(source));
    // Line by line: what changed, and nothing else.
    const lines = fixed.split(eol);
    const changed = lines.flatMap((line, index) => (line === source.split(eol)[index] ? [] : [index + 1]));
    // The seq block grew by a line: the lines after it are one further down.
    expect(changed.slice(0, 2)).toEqual([5, 10]);
    expect(lines.slice(3, 11)).toEqual(['$ echo "hello $((6 * 7))"', 'hello 42', '$ seq 1 5', '1', '...', '4', '5', '$ date -u +%Y-%m-%dT%H:%M:%SZ']);
    // The date matches as <time>: its block is left as the page has it.
    expect(lines[11]).toBe('2020-01-01T00:00:00Z');
    expect(lines.slice(17, 19)).toEqual(['echo one two', 'one two']);
    expect(lines.slice(24, 27)).toEqual(["   $ printf 'a\\nb\\n'", '   a', '   b']);
    expect(lines.slice(30, 32)).toEqual(['> $ echo quoted', '> quoted']);
    expect(lines.slice(47, 50)).toEqual(['```text', 'new notes', 'line two']);
    // No output where the page shows none, without --add-missing.
    expect(lines.slice(53, 55)).toEqual(['$ echo shows-nothing', '```']);
    expect(fixed.replaceAll(eol, '')).not.toMatch(/[\r\n]/);

    // The two steps whose page shows no output are checked against a snapshot: this run records it.
    const check = await lesson(['run', path, '--check-page', '--snapshots', dir]);
    expect(check.stdout).toMatch(/\d+ passed, 0 failed/);
    expect(check.exitCode).toBe(0);

    const again = await lesson(['fix', path, '--snapshots', dir]);
    expect(again.stdout).toContain(`${path}: nothing to fix`);
    expect(again.exitCode).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(fixed);
  });

  test('--add-missing writes the output of a command under which the page shows none', async () => {
    const { dir, path } = page(drifted);
    const fix = await lesson(['fix', path, '--add-missing', '--snapshots', dir]);
    expect(fix.exitCode).toBe(0);
    expect(readFileSync(path, 'utf8').split('\n').slice(-4)).toEqual(['$ echo shows-nothing', 'shows-nothing', '```', '']);
  });

  test('--dry-run prints the unified diff of the page and writes nothing', async () => {
    const { dir, path } = page(drifted);
    const dry = await lesson(['fix', path, '--dry-run', '--snapshots', dir]);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain(`--- ${path}`);
    expect(dry.stdout).toContain(`+++ ${path}`);
    expect(dry.stdout).toMatch(/^-hello 43\n\+hello 42$/m);
    expect(dry.stdout).toMatch(/^-> quotd\n\+> quoted$/m);
    expect(dry.stdout).toContain(`${path}: 6 blocks would be fixed (--dry-run: nothing written)`);
    expect(readFileSync(path, 'utf8')).toBe(drifted);
  });

  test('-i is refused, before anything runs, when stdin is not a terminal', async () => {
    const { dir, path } = page(drifted);
    const refused = await lesson(['fix', path, '-i', '--snapshots', dir]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('-i asks at each block and needs a terminal, but stdin is not one');
    expect(refused.stdout).not.toContain('Drifted');
    expect(readFileSync(path, 'utf8')).toBe(drifted);
  });

  test('-i in a real terminal: one block accepted, one refused; only the accepted one is written', async () => {
    const source = '# Two\n\n```console\n$ echo first\nfrist\n$ echo second\nsecnd\n```\n';
    const { dir, path } = page(source, 'two.md');
    const child = pty.spawn('node', [cli, 'fix', path, '-i', '--snapshots', dir], {
      cols: 100,
      rows: 40,
      cwd: dir,
      env: { ...process.env, CI: '', NO_COLOR: '1' } as Record<string, string>,
    });
    let screen = '';
    const answers = ['y', 'n'];
    const asked: string[] = [];
    child.onData((data) => {
      screen += data;
      const questions = screen.split('Fix this block?').length - 1;
      if (questions > asked.length) {
        const answer = answers[asked.length] ?? 'q';
        asked.push(answer);
        child.write(answer);
      }
    });
    const exitCode = await new Promise<number>((resolve) => child.onExit((event) => resolve(event.exitCode)));
    expect(asked).toEqual(['y', 'n']);
    expect(screen).toMatch(/two\.md:5 +echo first[\s\S]*-frist\r?\n\+first/);
    expect(readFileSync(path, 'utf8')).toBe('# Two\n\n```console\n$ echo first\nfirst\n$ echo second\nsecnd\n```\n');
    // The refused block still differs from what ran.
    expect(exitCode).toBe(1);
  });

  test('a page edited while it runs is not overwritten: exit 2, and the edit stays', async () => {
    const { dir, path } = page('');
    // A step of the page edits the page itself, as an author saving it mid-run would.
    const source = `# Edited\n\n\`\`\`console\n$ echo drifted\ndrfted\n$ echo '<!-- saved by hand -->' >> '${path}'\n\`\`\`\n`;
    writeFileSync(path, source);
    // The page's folder is the test's, which the sandbox keeps read-only: outside it.
    const fix = await lesson(['fix', path, '--no-sandbox', '--snapshots', dir]);
    expect(fix.exitCode).toBe(2);
    expect(fix.stderr).toContain(`${path}: the page changed on disk while it ran: not overwritten`);
    expect(readFileSync(path, 'utf8')).toBe(`${source}<!-- saved by hand -->\n`);
  });
});

