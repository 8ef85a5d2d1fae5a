import { describe, expect, test } from 'vitest';
import { judgeRun } from '../../src/judge/judging.js';
import type { Lesson, Snapshot, Step, StepResult } from '../../src/types.js';
import { demoLesson } from './demo-lesson.js';

// Steps of any kind, written as partial records: the judge reads them as the plan gives them.
const step = (id: string, extra: Record<string, unknown> = {}): Step => ({ id, kind: 'command', line: 3, command: `echo ${id}`, ...extra }) as Step;
const lesson = demoLesson;
const result = (s: Step, output: string, exitCode = 0): StepResult => ({ step: s, exitCode, output, durationMs: 1 });
const recorded = (steps: Record<string, [string, number?]>): Snapshot => ({
  lesson: 'lessons/demo.md',
  environment: { engine: '1' },
  steps: Object.fromEntries(Object.entries(steps).map(([id, [output, exit = 0]]) => [id, { line: 3, command: `echo ${id}`, exit, output }])),
});
/** One run's results judged at once, as a run judges them step by step. */
const judged = (l: Lesson, results: StepResult[], environment: Record<string, string>, snapshot: Snapshot, mode: { update: boolean; ci: boolean }) =>
  judgeRun(l, { results, environment }, snapshot, mode);
const statuses = (outcome: ReturnType<typeof judgeRun>) => outcome.verdicts.map((v) => v.status);
const local = { update: false, ci: false };

describe('judgeRun', () => {
  const a = step('a');
  const b = step('b');

  test('equal outputs pass and nothing is written', () => {
    const outcome = judged(lesson([a]), [result(a, 'x\n')], { engine: '1' }, recorded({ a: ['x\n'] }), local);
    expect(statuses(outcome)).toEqual(['passed']);
    expect(outcome.write).toBeUndefined();
  });

  test('a difference fails with both texts; -u updates instead', () => {
    const outcome = judged(lesson([a]), [result(a, 'y\n')], { engine: '1' }, recorded({ a: ['x\n'] }), local);
    expect(outcome.verdicts[0]).toMatchObject({ status: 'failed', expected: 'x\n', actual: 'y\n', message: 'output differs from the snapshot' });
    const updated = judged(lesson([a]), [result(a, 'y\n')], { engine: '1' }, recorded({ a: ['x\n'] }), { update: true, ci: false });
    expect(statuses(updated)).toEqual(['updated']);
    expect(updated.write?.steps.a?.output).toBe('y\n');
  });

  test('a new step is written locally, and fails in CI which never writes', () => {
    const local_ = judged(lesson([a, b]), [result(a, 'x\n'), result(b, 'new\n')], { engine: '1' }, recorded({ a: ['x\n'] }), local);
    expect(statuses(local_)).toEqual(['passed', 'written']);
    expect(Object.keys(local_.write!.steps)).toEqual(['a', 'b']);
    const ci = judged(lesson([a, b]), [result(a, 'x\n'), result(b, 'new\n')], { engine: '1' }, recorded({ a: ['x\n'] }), { update: false, ci: true });
    expect(statuses(ci)).toEqual(['passed', 'failed']);
    expect(ci.write).toBeUndefined();
  });

  test('a non-zero exit fails unless marked or recorded', () => {
    const failing = step('f');
    const marked = step('m', { fails: true });
    const outcome = judged(lesson([failing, marked]), [result(failing, 'boom\n', 1), result(marked, 'no\n', 1)], {}, recorded({ m: ['no\n', 1] }), local);
    expect(outcome.verdicts.map((v) => [v.status, v.message])).toEqual([['failed', 'exited with status 1'], ['passed', undefined]]);
    const recordedStatus = judged(lesson([failing]), [result(failing, 'boom\n', 1)], {}, recorded({ f: ['boom\n', 1] }), local);
    expect(statuses(recordedStatus)).toEqual(['passed']);
  });

  test('steps after a timeout are not run, and keep their entries', () => {
    const c = step('c');
    const outcome = judged(lesson([a, b, c]), [{ ...result(a, ''), exitCode: null, timedOut: true }], { engine: '1' }, recorded({ a: ['x\n'], b: ['y\n'] }), local);
    expect(outcome.verdicts.map((v) => [v.status, v.message])).toEqual([['failed', 'timed out after 1s'], ['not-run', undefined], ['not-run', undefined]]);
    expect(outcome.write).toBeUndefined();
  });

  test('obsolete entries are reported, kept without -u, removed with -u', () => {
    const kept = judged(lesson([a]), [result(a, 'x\n')], { engine: '1' }, recorded({ a: ['x\n'], gone: ['z\n'] }), local);
    expect(kept.obsolete).toEqual(['gone']);
    expect(kept.write).toBeUndefined();
    const removed = judged(lesson([a]), [result(a, 'x\n')], { engine: '1' }, recorded({ a: ['x\n'], gone: ['z\n'] }), { update: true, ci: false });
    expect(Object.keys(removed.write!.steps)).toEqual(['a']);
  });

  test('unordered steps compare their lines as a set', () => {
    const u = step('u', { unordered: true });
    expect(statuses(judged(lesson([u]), [result(u, 'B\nA\n')], {}, recorded({ u: ['A\nB\n'] }), local))).toEqual(['passed']);
    expect(statuses(judged(lesson([u]), [result(u, 'B\nC\n')], {}, recorded({ u: ['A\nB\n'] }), local))).toEqual(['failed']);
  });

  test('a different engine version is reported as a likely cause', () => {
    const outcome = judged(lesson([a]), [result(a, 'x\n')], { engine: '2' }, recorded({ a: ['x\n'] }), local);
    expect(outcome.environmentChanges).toEqual([{ key: 'engine', recorded: '1', actual: '2' }]);
  });
});
