import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lesson, root } from '../helpers.js';

const fence = '```';
function page(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-lint-'));
  const path = join(dir, 'page.md');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('lesson lint', () => {
  test('prints file:line: severity: message (rule) for each finding, and exits 1 on an error', async () => {
    const path = page(['# Page', '', 'Hello.c', '', `${fence}c`, 'int main(void) { return 0; }', fence, '', fence, 'gcc -o hello hello.c', 'python3 app.py', fence]);
    const { stdout, exitCode } = await lesson(['lint', path]);
    expect(exitCode).toBe(1);
    expect(stdout.split('\n')).toEqual([
      `${path}:10: error: \`hello.c\` is read here, but the page writes \`Hello.c\` (line 5): the names differ in case, and on Linux they are two files (file-case)`,
      `${path}:11: warning: \`app.py\` is read here, but no step writes it (missing-file)`,
      '1 error, 1 warning in 1 lesson',
    ]);
  });

  test('warnings alone exit 0; a clean page says so', async () => {
    expect((await lesson(['lint', page(['# Page', '', fence, 'cat notes.txt', fence])])).exitCode).toBe(0);
    const clean = await lesson(['lint', page(['# Page', '', fence, 'echo hi > notes.txt', 'cat notes.txt', fence])]);
    expect([clean.exitCode, clean.stdout]).toEqual([0, 'no problem found in 1 lesson']);
  });

  test('reads a page with unknown keys leniently: each is a finding, not a stop', async () => {
    const { stdout, exitCode } = await lesson(['lint', page(['---', 'titel: x', '---', '<!-- lesson: detach=yes -->', fence, 'docker stop <id>', fence])]);
    expect(exitCode).toBe(1);
    expect(stdout).toMatch(/:2: error: unknown front-matter key "titel"/);
    expect(stdout).toMatch(/:4: error: unknown annotation "detach"; known: file, title, keys/);
    expect(stdout).toMatch(/:6: error: placeholder <id> in a command/);
  });

  test('never runs anything', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'lesson-lint-')), 'ran');
    await lesson(['lint', page(['# Page', '', fence, `touch ${marker}`, fence])]);
    await lesson(['plan', page(['# Page', '', fence, `touch ${marker}`, fence])]);
    expect(existsSync(marker)).toBe(false);
  });

  test('with no lesson named, lints every lesson in lessons/', async () => {
    const { stdout } = await lesson(['lint']);
    const count = readdirSync(join(root, 'lessons')).filter((f) => f.endsWith('.md')).length;
    expect(stdout).toMatch(new RegExp(`in ${count} lessons?$`));
  });

  test('an unknown lesson exits 2', async () => {
    expect((await lesson(['lint', 'no-such-lesson'])).exitCode).toBe(2);
  });

  test('a page that cannot be read is an error finding at its line; the other lessons are still linted', async () => {
    const broken = page(['---', 'timeout: soon', '---']);
    const other = page(['# Page', '', fence, 'cat notes.txt', fence]);
    const { stdout, exitCode } = await lesson(['lint', broken, other]);
    expect(exitCode).toBe(1);
    expect(stdout.split('\n')).toEqual([
      `${broken}:2: error: "timeout" must be a duration like 30s or 2m, got "soon" (unreadable)`,
      `${other}:4: warning: \`notes.txt\` is read here, but no step writes it (missing-file)`,
      '1 error, 1 warning in 2 lessons',
    ]);
  });
});
