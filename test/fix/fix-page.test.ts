// lesson fix's pure part on recorded outputs: pages in every block shape the plan reads, drifted;
// the fix touches output lines only (the page without them is the same, line by line), the fixed
// page then matches the run as check-page matches it, and a second fix changes nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { applyFixes, planFixes, type StepOutput } from '../../src/fix/fix-page.js';
import { sourceLines } from '../../src/fix/lines.js';
import { startPageMatching } from '../../src/judge/page-match.js';
import { startNormalizer } from '../../src/normalize/index.js';
import { readPage, type ReadOptions } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';
import type { OutputPlace } from '../../src/plan/places.js';
import type { Lesson, OutputStep, Step } from '../../src/types.js';
import { root } from '../helpers.js';

// As `lesson fix` reads a page: every output it shows is compared.
const read: ReadOptions = { commandLine: { checkPage: true, origins: { 'check-page': 'command line' } } };

function plan(source: string): { lesson: Lesson; places: Map<string, OutputPlace> } {
  const places = new Map<string, OutputPlace>();
  return { lesson: planLesson(readPage(source, 'page.md', 'page', read), places), places };
}

const isOutputStep = (step: Step): step is OutputStep => step.kind === 'command' || step.kind === 'interactive' || step.kind === 'session-input';

/** What each step printed, recorded: normalized in run order, as a run normalizes it. */
function recorded(lesson: Lesson, printed: (step: OutputStep) => string | undefined): Map<string, StepOutput> {
  const normalize = startNormalizer({ settings: lesson.settings.normalize });
  const outputs = new Map<string, StepOutput>();
  for (const step of lesson.steps) {
    if (!isOutputStep(step)) continue;
    const output = printed(step);
    if (output === undefined) continue;
    outputs.set(step.id, { result: { step, exitCode: 0, output, durationMs: 1 }, normalized: normalize(output) });
  }
  return outputs;
}

function fix(source: string, outputs: Map<string, StepOutput>, addMissing = false) {
  const found = planFixes({ source, path: 'page.md', name: 'page', read, outputs, paths: {}, addMissing });
  return { ...found, fixed: applyFixes(source, found.fixes) };
}

/** The page without the lines that show outputs, each line with its own ending: what a fix must leave byte for byte. */
function skeleton(source: string): string[] {
  const { places } = plan(source);
  const output = new Set([...places.values()].flatMap((place) => place.parts.flatMap((part) => part.lines)));
  return sourceLines(source).flatMap((line, index) => (output.has(index + 1) ? [] : [JSON.stringify(line.text + line.end)]));
}

/** The steps whose page output does not match what they printed, as `check-page` judges them. */
function failing(source: string, outputs: Map<string, StepOutput>): string[] {
  const { lesson } = plan(source);
  const match = startPageMatching(lesson.settings.normalize);
  return lesson.steps.filter(isOutputStep).flatMap((step) => {
    const output = outputs.get(step.id);
    if (!output || step.expected === undefined) return [];
    const found = match(step.expected, output.normalized);
    return (step.kind === 'command' ? found.ok : found.shown) ? [] : [step.id];
  });
}

const shapes = [
  '# Shapes',
  '',
  '```console',
  '$ echo "hello $((6 * 7))"',
  'hello 43',
  '$ seq 1 5',
  '1',
  '...',
  '4',
  '$ printf "kept\\n"',
  'kept',
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
  '   $ ls -l',
  '   total 0',
  '   ```',
  '',
  '> In a quote:',
  '>',
  '> ```console',
  '> $ date +%Y',
  '> 1999',
  '> ```',
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
  '    $ echo indented-code',
  '    indented-wrong',
  '',
  '```console',
  '$ echo shows-nothing',
  '```',
  '',
].join('\n');

const printed: Record<string, string> = {
  'echo "hello $((6 * 7))"': 'hello 42\n',
  'seq 1 5': '1\n2\n3\n4\n5\n',
  'printf "kept\\n"': 'kept\n',
  'echo one two': 'one two\n',
  'ls -l': 'total 4\n-rw-r--r-- 1 root root 0 Mar 14 10:00 a\n',
  'date +%Y': '2026\n',
  'cat notes.txt': 'new notes\nline two\n',
  'echo indented-code': 'indented-right\n',
  'echo shows-nothing': 'shows-nothing\n',
};

const byCommand = (step: OutputStep) => (step.kind === 'command' ? printed[step.command] : undefined);

describe('lesson fix on a page of every plain block shape', () => {
  test.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('%s: only output lines change, elisions that still cover stay, the page then matches, a second fix changes nothing', (_, eol) => {
    const source = shapes.replaceAll('\n', eol);
    const outputs = recorded(plan(source).lesson, byCommand);
    expect(failing(source, outputs)).toHaveLength(7);
    const { fixes, left, fixed } = fix(source, outputs);
    expect(left).toEqual([]);
    expect(fixes.map((f) => f.line)).toEqual([5, 10, 18, 25, 32, 42, 46]);

    expect(fixed.split(eol)).toEqual([
      ...shapes.split('\n').slice(0, 4),
      'hello 42',
      '$ seq 1 5',
      '1',
      '...',
      '4',
      '5',
      ...shapes.split('\n').slice(9, 17),
      'one two',
      ...shapes.split('\n').slice(18, 24),
      '   total 4',
      '   -rw-r--r-- 1 root root 0 Mar 14 10:00 a',
      ...shapes.split('\n').slice(25, 31),
      '> 2026',
      ...shapes.split('\n').slice(32, 41),
      'new notes',
      'line two',
      '```',
      '',
      '    $ echo indented-code',
      '    indented-right',
      ...shapes.split('\n').slice(46),
    ]);
    // No lone \n in a CRLF page, no \r in an LF one: every line keeps the page's ending.
    expect(fixed.replaceAll(eol, '')).not.toMatch(/[\r\n]/);
    expect(skeleton(fixed)).toEqual(skeleton(source));
    expect(failing(fixed, outputs)).toEqual([]);
    expect(fix(fixed, outputs).fixes).toEqual([]);
  });

  test('--add-missing gives output to a block that shows none, under its command, with the page\'s indentation', () => {
    const source = '# A\n\n- step:\n\n  ```console\n  $ echo shows-nothing\n  ```\n';
    const outputs = recorded(plan(source).lesson, byCommand);
    expect(fix(source, outputs).fixes).toEqual([]);
    const { fixed } = fix(source, outputs, true);
    expect(fixed).toBe('# A\n\n- step:\n\n  ```console\n  $ echo shows-nothing\n  shows-nothing\n  ```\n');
    expect(skeleton(fixed)).toEqual(skeleton(source));
    expect(fix(fixed, outputs, true).fixes).toEqual([]);
  });

  test('output every line of which is indented (ldd prints a tab first): one tab, as it ran, and the page then matches', () => {
    const source = '# A\n\n```console\n$ ldd /bin/x\n\tlibc.so.6 => /lib/libc.so.6\n\t/lib64/ld.so\n```\n';
    const outputs = recorded(plan(source).lesson, () => '\tlibc.so.6 => /lib/x86_64/libc.so.6\n\t/lib64/ld.so\n');
    const { fixed } = fix(source, outputs);
    expect(fixed).toBe('# A\n\n```console\n$ ldd /bin/x\n\tlibc.so.6 => /lib/x86_64/libc.so.6\n\t/lib64/ld.so\n```\n');
    expect(failing(fixed, outputs)).toEqual([]);
    // A page that shows it with no indentation matches it too.
    expect(failing('# A\n\n```console\n$ ldd /bin/x\nlibc.so.6 => /lib/x86_64/libc.so.6\n/lib64/ld.so\n```\n', outputs)).toEqual([]);
  });

  test('a block marked check-page=false is never touched, --add-missing or not; a front matter saying false is overridden', () => {
    const source = '---\ncheck-page: false\n---\n# A\n\n<!-- lesson: check-page=false -->\n```console\n$ echo one two\none three\n$ echo shows-nothing\n```\n\nThen:\n\n```console\n$ echo one two\nwrong\n```\n';
    const outputs = recorded(plan(source).lesson, byCommand);
    const { fixes, fixed } = fix(source, outputs, true);
    expect(fixes.map((f) => f.line)).toEqual([17]);
    expect(fixed).toBe(source.replace('\nwrong\n', '\none two\n'));
  });

  test('a block that still matches is left byte for byte: volatile values, an elision, padding', () => {
    const source = '# A\n\n```console\n$ docker images\nREPOSITORY   TAG      IMAGE ID\nalpine       latest   0a97eee8041e\n...\n```\n';
    const outputs = recorded(plan(source).lesson, () => 'REPOSITORY TAG IMAGE ID\nalpine latest 4f1a2b3c4d5e\nbusybox latest 111122223333\n');
    expect(failing(source, outputs)).toEqual([]);
    expect(fix(source, outputs).fixes).toEqual([]);
  });

  test('an output that would change how the page reads is left, with why; the rest is fixed', () => {
    const source = '# A\n\n```sh\necho hi\nHI\necho there\nthere\n```\n';
    const outputs = recorded(plan(source).lesson, (step) => (step.kind === 'command' && step.command === 'echo hi' ? 'docker ps\n' : 'THERE\n'));
    const { fixes, left, fixed } = fix(source, outputs);
    expect(left.map(({ step, reason }) => [step.line, reason])).toEqual([[4, expect.stringContaining('would change how the page reads')]]);
    expect(fixes.map((f) => f.line)).toEqual([7]);
    expect(fixed).toBe('# A\n\n```sh\necho hi\nHI\necho there\nTHERE\n```\n');
  });
});

const sessions = [
  '# Sessions',
  '',
  '```console',
  '$ docker run -it alpine sh',
  '/ # echo hi',
  'ho',
  '/ # cat /x',
  '...',
  'last line wrong',
  '/ # exit',
  '```',
  '',
  '```console',
  '$ docker run -it --name box alpine sh',
  '/ # echo first',
  'frist',
  '```',
  '',
  'Later, in the same session:',
  '',
  '```console',
  '/ # echo second',
  'secnd',
  '/ # exit',
  '```',
  '',
  '```',
  '$ docker run -t alpine echo tty',
  'yyt',
  '```',
  '',
].join('\n');

describe('lesson fix on terminal sessions (recorded screens)', () => {
  test('each typed line gets what showed under it on the screen; what the page never showed (the banner, the prompt that came back) stays out', () => {
    const banner = 'BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) built-in shell (ash)\nEnter \'help\' for a list of built-in commands.\n\n';
    const screens = [
      `${banner}/ # echo hi\nhi\n/ # cat /x\na\nb\nlast line\n/ # exit\n`,
      `${banner}/ # echo first\nfirst\n/ #\n`,
      '/ # echo second\nsecond\n/ # exit\n',
      'tty\n',
    ];
    const { lesson } = plan(sessions);
    expect(lesson.steps.map((step) => step.kind)).toEqual(['interactive', 'interactive', 'session-input', 'interactive']);
    const outputs = recorded(lesson, (step) => screens[lesson.steps.indexOf(step)]);
    expect(failing(sessions, outputs)).toEqual(lesson.steps.map((step) => step.id));
    const { fixes, fixed, left } = fix(sessions, outputs);
    expect(left).toEqual([]);
    expect(fixes).toHaveLength(4);
    const before = sessions.split('\n');
    const after = fixed.split('\n');
    const changed = before.flatMap((line, index) => (line === after[index] ? [] : [[index + 1, line, after[index]]]));
    expect(changed).toEqual([
      [6, 'ho', 'hi'],
      [9, 'last line wrong', 'last line'],
      [16, 'frist', 'first'],
      [23, 'secnd', 'second'],
      [29, 'yyt', 'tty'],
    ]);
    expect(after).toHaveLength(before.length);
    expect(failing(fixed, outputs)).toEqual([]);
    expect(fix(fixed, outputs).fixes).toEqual([]);
  });

  test('a screen that does not show the typed lines is left, with why', () => {
    const { lesson } = plan(sessions);
    const outputs = recorded(lesson, (step) => (step === lesson.steps[0] ? 'something else entirely\n' : undefined));
    const { fixes, left } = fix(sessions, outputs);
    expect(fixes).toEqual([]);
    expect(left.map((entry) => entry.reason)).toEqual([expect.stringContaining('does not show the lines typed on the page')]);
  });
});

// Every page of the plan's corpus (test/plan/corpus: the styles real tutorials are written in), each
// output drifted: what a fix changes is output lines only, and what it fixes then matches.
const corpus = join(root, 'test/plan/corpus');
const elision = /^\s*(?:\.{3,}|…+|\[\.{3,}\]|<snip>)\s*$/;

/** A drifted version of what the page shows: each line changed, each elision standing for two lines. */
function drifted(lines: string[]): string[] {
  return lines.flatMap((line) => (elision.test(line) ? ['ELIDED ONE', 'ELIDED TWO'] : line.trim() === '' ? [''] : [`CHANGED ${line.trim()}`]));
}

/** What the step would print, drifted, with the lines typed in a session on the screen where the page has them. */
function screenFor(step: OutputStep, place: OutputPlace | undefined, value: (place: OutputPlace, line: number) => string): string {
  if (!place) return '';
  const rows = place.parts.flatMap((part) => {
    const typed = place.whole || part.typed === undefined ? [] : [`/ # ${part.typed}`];
    return [...typed, ...drifted(part.lines.map((line) => value(place, line)))];
  });
  return rows.length > 0 ? `${rows.join('\n')}\n` : step.kind === 'command' ? '' : '\n';
}

describe('lesson fix on every page of the plan corpus, every output drifted', () => {
  const pages = readdirSync(corpus).filter((file) => file.endsWith('.md')).sort();
  test.each(pages)('%s', (file) => {
    for (const eol of ['\n', '\r\n']) {
      const source = readFileSync(join(corpus, file), 'utf8').replaceAll('\n', eol);
      const { lesson, places } = plan(source);
      const value = (place: OutputPlace, line: number) => place.block.value.split('\n')[line - place.block.contentLine] ?? '';
      const outputs = recorded(lesson, (step) => screenFor(step, places.get(step.id), value));
      const before = failing(source, outputs);
      const { fixes, left, fixed } = fix(source, outputs);
      const handled = new Set([...fixes.map((f) => f.step.id), ...left.map((l) => l.step.id)]);
      for (const id of before) expect(handled, `${file}: ${id}`).toContain(id);
      expect(skeleton(fixed), file).toEqual(skeleton(source));
      const stillFailing = failing(fixed, outputs);
      expect(stillFailing.filter((id) => !left.some((l) => l.step.id === id)), file).toEqual([]);
      expect(fix(fixed, outputs).fixes, file).toEqual([]);
    }
  });
});
