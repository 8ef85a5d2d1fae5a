import { containerPrompt } from './container-prompt.js';
import { fileCase, missingFile } from './files.js';
import { neverEnds } from './never-ends.js';
import { otherEngineUse } from './other-engine.js';
import { pageDrift } from './page-drift.js';
import { placeholder } from './placeholder.js';
import type { Finding, LintInput, Rule } from './rule.js';
import { sessionExit } from './session-exit.js';

export type { Finding, LintInput, Severity } from './rule.js';

const unknownKey: Rule = ({ problems }) => problems.map((problem) => ({ ...problem, severity: 'error', rule: 'unknown-key' }));

const rules: Rule[] = [unknownKey, placeholder, fileCase, missingFile, sessionExit, containerPrompt, neverEnds, pageDrift, otherEngineUse];

/** Every finding of every rule, in page order. Pure: nothing is run or read. */
export function lintLesson(input: LintInput): Finding[] {
  return rules.flatMap((rule) => rule(input)).sort((a, b) => a.line - b.line);
}

/** `lessons/x.md:12: error: message (rule)`, as compilers print it. */
export function formatFinding(path: string, finding: Finding): string {
  return `${path}:${finding.line}: ${finding.severity}: ${finding.message} (${finding.rule})`;
}
