// What a lint rule is: a pure function from a planned lesson to findings at its lines.

import type { Problem } from '../parse/annotations.js';
import type { Lesson, Snapshot } from '../types.js';

export type Severity = 'error' | 'warning';

/** Something in a lesson that will break its run or mislead its reader, at a line of the page. */
export interface Finding {
  line: number;
  severity: Severity;
  message: string;
  /** The rule's name, printed after the message so a reader can look it up (docs/lessons.md). */
  rule: string;
}

export interface LintInput {
  lesson: Lesson;
  /** Unknown annotation and front-matter keys, found by a lenient read of the page. */
  problems: Problem[];
  /** The lesson's snapshot, when it has one: the outputs its steps printed last time. */
  recorded?: Snapshot;
}

export type Rule = (input: LintInput) => Finding[];
