// Plain-text pieces shared by the reports that tools read (JUnit, JSON, GitHub, HTML): no colours.

import { isAbsolute, relative, resolve } from 'node:path';
import type { StepVerdict } from '../judge/verdict.js';
import type { Lesson, Step } from '../types.js';
import { diffLines } from './diff.js';

export function lessonTitle(lesson: Lesson): string {
  return lesson.settings.title ?? lesson.name;
}

/** A step in a few words: what it writes or runs, first line only. */
export function stepTitle(step: Step): string {
  if (step.kind === 'file') return `write ${step.path}`;
  if (step.kind === 'skip' && step.command === undefined) return `block (${step.reason})`;
  if (step.kind === 'session-input') return step.input[0] ?? '';
  return step.command?.split('\n')[0] ?? '';
}

/** A path as CI systems match it against the repository: relative to where `lesson` runs, when inside it. */
export function reportPath(path: string): string {
  const inside = relative(process.cwd(), resolve(path));
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

/** Why a step failed, with the diff or the output that shows it. */
export function failureText(verdict: StepVerdict): string {
  const message = verdict.message ?? 'failed';
  if (verdict.expected !== undefined && verdict.actual !== undefined) {
    return `${message}\n${diffLines(verdict.expected, verdict.actual).join('\n')}`;
  }
  return verdict.actual ? `${message}\n${verdict.actual.trimEnd()}` : message;
}
