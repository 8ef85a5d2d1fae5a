import { describe, expect, test } from 'vitest';
import { judgeStep } from '../../src/judge/judge-step.js';
import { judgeRun } from '../../src/judge/judging.js';
import { startPageMatching } from '../../src/judge/page-match.js';
import type { CommandStep, Lesson, Step, StepResult } from '../../src/types.js';

const settings = { disable: [], rules: [] };
const check = (page: string, actual: string) => startPageMatching(settings)(page, actual);

describe('a page output against what ran', () => {
  test('the same text matches every line', () => {
    expect(check('hello\nworld', 'hello\nworld\n')).toMatchObject({ matched: 2, total: 2, ok: true, shown: true });
  });

  test('a `...` line matches any lines, none included; `<snip>` and `[...]` too', () => {
    expect(check('first\n...\nlast', 'first\n2\n3\nlast\n')).toMatchObject({ ok: true, matched: 2, total: 2 });
    expect(check('first\n<snip>\nlast', 'first\nlast\n')).toMatchObject({ ok: true });
    expect(check('first\n[...]', 'first\nmore\nand more\n')).toMatchObject({ ok: true });
    expect(check('first\nlast', 'first\n2\nlast\n')).toMatchObject({ ok: false, shown: true, matched: 2 });
  });

  test('`...` ending a line matches the rest of that line only', () => {
    expect(check('Step 1/2 : FROM ...\nStep 2/2 : RUN touch /x', 'Step 1/2 : FROM alpine:3.19\nStep 2/2 : RUN touch /x\n')).toMatchObject({ ok: true });
    expect(check('Step 1/2 : FROM ...', 'Step 1/2 : FROM alpine\nStep 2/2 : RUN touch /x\n')).toMatchObject({ ok: false, shown: true });
  });

  test('drift is counted per line: a page that no longer matches says how far it is', () => {
    const result = check('a\nb\nc\nd', 'a\nB\nc\nD\n');
    expect(result).toMatchObject({ matched: 2, total: 4, ok: false, shown: false });
  });

  test('column padding is not compared: the tables normalizer collapses it on both sides, and any run of spaces matches any', () => {
    expect(check('REPOSITORY   TAG\nalpine       latest', 'REPOSITORY TAG\nalpine\tlatest\n')).toMatchObject({ ok: true });
  });

  test("the author's IDs stand for the run's: one page ID is one actual ID everywhere, and two are two", () => {
    const run = startPageMatching(settings);
    const build = run('Successfully built ca3c65e5b8e7', 'Successfully built <id-4>\n');
    expect(build).toMatchObject({ ok: true, expected: 'Successfully built <id-4>' });
    expect(run('ca3c65e5b8e7   9 minutes ago', '<id-4> <ago>\n')).toMatchObject({ ok: true });
    // The same page ID where the run shows another: the layer was not reused.
    expect(run('ca3c65e5b8e7   9 minutes ago', '<id-5> <ago>\n')).toMatchObject({ ok: false, matched: 0 });
    // Another page ID cannot stand for an actual ID already taken.
    expect(run('e21c333399e0   5 weeks ago', '<id-4> <ago>\n')).toMatchObject({ ok: false });
  });

  test("a generated container name on the page matches the run's placeholder, or the same name", () => {
    const run = startPageMatching(settings);
    expect(run('hungry_hopper', '<name-1>\n')).toMatchObject({ ok: true, expected: '<name-1>' });
    expect(run('web_server', 'web_server\n')).toMatchObject({ ok: true });
  });

  test('compared as a reader compares: the indentation every line shares, trailing spaces and the final newline are no difference', () => {
    expect(check(' chown: /: Operation not permitted', 'chown: /: Operation not permitted\n')).toMatchObject({ ok: true, shown: true });
    expect(check('\tone  \n\t  two', 'one\n  two')).toMatchObject({ ok: true, matched: 2, total: 2 });
    expect(check('one\ntwo\n\n', 'one\ntwo')).toMatchObject({ ok: true });
    // Indentation that is not shared by every line is the author's claim.
    expect(check(' one\ntwo', 'one\ntwo')).toMatchObject({ ok: false, matched: 1 });
    // What really differs still differs.
    expect(check(' chown: /: Operation not permitted', 'chown: /: Permission denied\n')).toMatchObject({ ok: false, shown: false });
  });

  test('custom normalize rules apply to the page too', () => {
    const run = startPageMatching({ disable: [], rules: [{ pattern: 'pid \\d+', replace: 'pid <pid>' }] });
    expect(run('started, pid 4242', 'started, pid <pid>\n')).toMatchObject({ ok: true });
  });
});

const lesson = (steps: Step[]): Lesson => ({
  name: 'demo',
  path: 'lessons/demo.md',
  settings: { requires: [], timeoutMs: 1000, prompts: [], normalize: settings, checkPage: true },
  requires: [],
  inferred: [],
  sections: [],
  steps,
});
const result = (step: Step, output: string, exitCode = 0): StepResult => ({ step, exitCode, output, durationMs: 1 });
const local = { update: false, ci: false };

describe('checking a step against its page', () => {
  const step: CommandStep = { id: 's-1', kind: 'command', line: 4, command: 'seq 3', expected: '1\n...', checkPage: true };

  test('a page-checked step passes on its page alone: no snapshot entry is needed, even in CI', () => {
    const page = check('1\n...', '1\n2\n3\n');
    const judged = judgeStep(step, result(step, '1\n2\n3\n'), { defaultTimeoutMs: 1000, mode: { update: false, ci: true }, page });
    expect(judged.verdict).toMatchObject({ status: 'passed', page: { matched: 1, total: 1 } });
    expect(judged.entry).toBeUndefined();
  });

  test('a drifted page fails the step with the page → actual texts', () => {
    const page = check('2\n...', '1\n2\n3\n');
    const judged = judgeStep({ ...step, expected: '2\n...' }, result(step, '1\n2\n3\n'), { defaultTimeoutMs: 1000, mode: local, page });
    expect(judged.verdict).toMatchObject({ status: 'failed', message: 'page output matches 1/1 lines', expected: '2\n...', actual: '1\n2\n3\n' });
  });

  test('an update never writes the page\'s patterns into the snapshot, and drops the entry the page replaces', () => {
    const page = check('1\n...', '1\n2\n3\n');
    const recorded = { lesson: 'lessons/demo.md', environment: {}, steps: { 's-1': { line: 4, command: 'seq 3', exit: 0, output: '1\n...\n' } } };
    const outcome = judgeRun(lesson([step]), { results: [result(step, '1\n2\n3\n')], environment: {}, pages: new Map([['s-1', page]]) }, recorded, { update: true, ci: false });
    expect(outcome.verdicts[0]!.status).toBe('passed');
    expect(outcome.write?.steps).toEqual({});
  });

  test('a failing step is expected when its page shows the error it prints, page-checked or not', () => {
    const failing: CommandStep = { id: 'f-1', kind: 'command', line: 9, command: 'ls /nowhere', expected: "ls: cannot access '/nowhere': No such file or directory" };
    const printed = "ls: cannot access '/nowhere': No such file or directory\n";
    const shown = judgeStep(failing, result(failing, printed, 2), { defaultTimeoutMs: 1000, mode: local, page: check(failing.expected ?? '', printed) });
    expect(shown.verdict.status).toBe('written');
    const other = judgeStep(failing, result(failing, 'ls: permission denied\n', 2), { defaultTimeoutMs: 1000, mode: local, page: check(failing.expected ?? '', 'ls: permission denied\n') });
    expect(other.verdict).toMatchObject({ status: 'failed', message: 'exited with status 2' });
  });

  test('an interactive step matches when the screen shows every page line in order, prompts and typing besides', () => {
    const session: Step = { id: 'i-1', kind: 'interactive', line: 3, command: 'docker run -it alpine', input: ['echo hi', 'exit'], expected: 'hi', checkPage: true };
    const screen = '/ # echo hi\nhi\n/ # exit\n';
    expect(judgeStep(session, result(session, screen), { defaultTimeoutMs: 1000, mode: local, page: check('hi', screen) }).verdict.status).toBe('passed');
  });
});
