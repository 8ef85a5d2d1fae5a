import { placeholdersIn } from '../plan/templates.js';
import type { Rule } from './rule.js';

/**
 * A `<placeholder>`, a usage line or a template where a command would be: the page expects the reader
 * to fill it in, which a run cannot. The plan does not run such a command (a skip, at its line); a
 * line typed in a session is still typed, so it is reported here too.
 */
export const placeholder: Rule = ({ lesson }) =>
  lesson.steps.flatMap((step) => {
    if (step.kind === 'skip') return step.fault === 'template' ? [finding(step.line, step.reason)] : [];
    if (step.kind !== 'interactive' && step.kind !== 'session-input') return [];
    return placeholdersIn(step.input.join('\n')).map((name) => finding(step.line, `placeholder ${name} in a typed line: write a real value on the page, or annotate the block skip="why"`));
  });

function finding(line: number, message: string) {
  return { line, severity: 'error' as const, rule: 'placeholder', message };
}
