// A background command's output depends on how long it ran: it is judged by the lines its reference
// shows appearing in it, in order (the snapshot's, or the page's under check-page), whatever else.
import { describe, expect, test } from 'vitest';
import { judgeRun } from '../../src/judge/judging.js';
import { startPageMatching } from '../../src/judge/page-match.js';
import type { Snapshot, Step, StepResult } from '../../src/types.js';
import { demoLesson } from './demo-lesson.js';

const background = { name: 'tail', reason: '`tail -f` follows the file', stop: { by: 'end' as const } };
const follow: Step = { id: 'f', kind: 'command', line: 3, command: 'tail -f log', background };
const plain: Step = { id: 'p', kind: 'command', line: 5, command: 'cat log' };
const lesson = demoLesson;
const result = (step: Step, output: string, exitCode = 0): StepResult => ({ step, exitCode, output, durationMs: 1 });
const snapshot = (output: string, id = 'f'): Snapshot => ({ lesson: 'lessons/demo.md', environment: {}, steps: { [id]: { line: 3, command: 'tail -f log', exit: 0, output } } });
const local = { update: false, ci: true };

describe('a background step against its snapshot', () => {
  test('passes when every recorded line shows, in order, with more around them', () => {
    const [verdict] = judgeRun(lesson([follow]), { results: [result(follow, 'one\nextra\ntwo\nthree\n')], environment: {} }, snapshot('one\ntwo\n'), local).verdicts;
    expect(verdict?.status).toBe('passed');
  });

  test('fails when a recorded line is missing or out of order, saying what the rule is', () => {
    for (const output of ['one\n', 'two\none\n']) {
      const [verdict] = judgeRun(lesson([follow]), { results: [result(follow, output)], environment: {} }, snapshot('one\ntwo\n'), local).verdicts;
      expect(verdict).toMatchObject({ status: 'failed', message: 'lines the snapshot recorded are missing from the output (a background command is checked for them, in order)' });
    }
  });

  test('unordered: every recorded line shows, as many times, in any order', () => {
    const unordered = { ...follow, unordered: true };
    const judge = (output: string) => judgeRun(lesson([unordered]), { results: [result(unordered, output)], environment: {} }, snapshot('a\nb\nb\n'), local).verdicts[0]?.status;
    expect(judge('b\nx\na\nb\n')).toBe('passed');
    expect(judge('b\na\n')).toBe('failed');
  });

  test('a step in the foreground is still compared whole', () => {
    const [verdict] = judgeRun(lesson([plain]), { results: [result(plain, 'one\nextra\ntwo\n')], environment: {} }, snapshot('one\ntwo\n', 'p'), local).verdicts;
    expect(verdict?.status).toBe('failed');
  });
});

describe('a background step checked against its page', () => {
  test("the page's lines, elisions and placeholders read as for any output, need only show in order", () => {
    const checked: Step = { ...follow, checkPage: true, expected: 'container create 3f2a9c1b7d4e\n...\ncontainer die 3f2a9c1b7d4e' };
    const actual = 'container create <id-1>\ncontainer attach <id-1>\ncontainer start <id-1>\ncontainer die <id-1>\ncontainer destroy <id-1>\n';
    const page = startPageMatching({ disable: [], rules: [] })(checked.expected ?? '', actual);
    const outcome = judgeRun(lesson([checked]), { results: [result(checked, actual)], environment: {}, pages: new Map([['f', page]]) }, undefined, local);
    expect(outcome.verdicts[0]?.status).toBe('passed');
    // The same output under a foreground step fails: it printed lines the page neither shows nor elides.
    const foreground: Step = { ...checked, background: undefined };
    const strict = judgeRun(lesson([foreground]), { results: [result(foreground, actual)], environment: {}, pages: new Map([['f', page]]) }, undefined, local);
    expect(strict.verdicts[0]?.status).toBe('failed');
  });
});
