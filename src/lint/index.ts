import type { Problem } from '../parse/annotations.js';
import type { Lesson, Snapshot } from '../types.js';
import { fileCase, missingFile } from './files.js';
import { neverEnds } from './never-ends.js';
import { pageOutput } from './page-output.js';
import { placeholder } from './placeholder.js';
import { sessionExit } from './session-exit.js';

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

const unknownKey: Rule = ({ problems }) => problems.map((problem) => ({ ...problem, severity: 'error', rule: 'unknown-key' }));

const rules: Rule[] = [unknownKey, placeholder, fileCase, missingFile, sessionExit, neverEnds, pageOutput];

/** Every finding of every rule, in page order. Pure: nothing is run or read. */
export function lintLesson(input: LintInput): Finding[] {
  return rules.flatMap((rule) => rule(input)).sort((a, b) => a.line - b.line);
}

/** `lessons/x.md:12: error: message (rule)`, as compilers print it. */
export function formatFinding(path: string, finding: Finding): string {
  return `${path}:${finding.line}: ${finding.severity}: ${finding.message} (${finding.rule})`;
}
