import { describe, expect, test } from 'vitest';
import { familiarRef, pinEntries, pinnedDigests, pinsOf, sameEnvironmentValue } from '../../src/judge/image-pins.js';
import { judgeRun } from '../../src/judge/judging.js';
import type { Snapshot, Step } from '../../src/types.js';
import { demoLesson } from './demo-lesson.js';

const one = `sha256:${'1'.repeat(64)}`;
const two = `sha256:${'2'.repeat(64)}`;
const step: Step = { id: 'a', kind: 'command', line: 3, command: 'docker run ubuntu true' };
const lesson = demoLesson([step]);
const snapshot = (environment: Record<string, string>): Snapshot => ({
  lesson: lesson.path,
  environment,
  steps: { a: { line: 3, command: step.command, exit: 0, output: '' } },
});
const run = (environment: Record<string, string>) => ({ results: [{ step, exitCode: 0, output: '', durationMs: 1 }], environment });

describe('image pins in a snapshot environment', () => {
  test('entries and back: digests with their source, the stand-in by name', () => {
    const entries = pinEntries([{ ref: 'ubuntu:latest', digest: one, source: 'cache' }, { ref: 'alpine:latest', source: 'stand-in' }]);
    expect(entries).toEqual({ 'image ubuntu:latest': `${one} (cache)`, 'image alpine:latest': 'stand-in' });
    expect(pinsOf({ builder: 'legacy', ...entries })).toEqual([{ ref: 'ubuntu:latest', digest: one, source: 'cache' }, { ref: 'alpine:latest', source: 'stand-in' }]);
    expect(pinnedDigests({ builder: 'legacy', ...entries })).toEqual({ 'ubuntu:latest': one });
    expect(pinnedDigests(undefined)).toEqual({});
  });

  test('one name per image, as docker prints it', () => {
    expect(familiarRef('ubuntu')).toBe('ubuntu:latest');
    expect(familiarRef('library/redis:7')).toBe('redis:7');
    expect(familiarRef('docker.io/jpetazzo/clock')).toBe('jpetazzo/clock:latest');
    expect(familiarRef(`ubuntu@${one}`)).toBe(`ubuntu@${one}`);
  });

  test('an image is the same when its digest is, wherever it came from', () => {
    expect(sameEnvironmentValue('image ubuntu:latest', `${one} (upstream)`, `${one} (store)`)).toBe(true);
    expect(sameEnvironmentValue('image ubuntu:latest', `${one} (cache)`, `${two} (cache)`)).toBe(false);
    expect(sameEnvironmentValue('builder', 'legacy (upstream)', 'legacy (store)')).toBe(false);
  });

  test('a check from another source tells nothing and writes nothing; another digest is told', () => {
    const recorded = snapshot({ builder: 'legacy', 'image ubuntu:latest': `${one} (upstream)` });
    const same = judgeRun(lesson, run({ builder: 'legacy', 'image ubuntu:latest': `${one} (store)` }), recorded, { update: true, ci: false });
    expect(same.environmentChanges).toEqual([]);
    expect(same.write).toBeUndefined();
    const moved = judgeRun(lesson, run({ builder: 'legacy', 'image ubuntu:latest': `${two} (cache)` }), recorded, { update: false, ci: false });
    expect(moved.environmentChanges).toEqual([{ key: 'image ubuntu:latest', recorded: `${one} (upstream)`, actual: `${two} (cache)` }]);
  });

  test('a snapshot recorded before pins is not told of each image, and -u adds them', () => {
    const old = snapshot({ builder: 'legacy' });
    const actual = { builder: 'legacy', 'image ubuntu:latest': `${one} (cache)`, 'image alpine:latest': 'stand-in' };
    expect(judgeRun(lesson, run(actual), old, { update: false, ci: false }).environmentChanges).toEqual([]);
    expect(judgeRun(lesson, run(actual), old, { update: true, ci: false }).write?.environment).toEqual(actual);
  });
});
