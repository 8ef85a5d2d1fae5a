import { terminalUse } from '../plan/session.js';
import type { InteractiveStep } from '../types.js';
import type { Rule } from './rule.js';

/**
 * An interactive session the page never leaves: nothing typed ends it (`exit`) and no keys detach
 * from it, so the run would wait at the inner prompt until the step times out.
 */
export const sessionExit: Rule = ({ lesson }) => {
  // A session later blocks type into ends with them: at their exit, their keys, or the lesson's end.
  const continued = new Set(lesson.steps.flatMap((step) => (step.kind === 'session-input' ? [step.session] : [])));
  return lesson.steps
    .filter((step): step is InteractiveStep => step.kind === 'interactive' && !continued.has(step.id))
    .filter((step) => terminalUse(step.command) === 'session' && !step.keys?.length)
    .filter((step) => !/^(exit|logout)(\s|$)/.test(step.input.at(-1) ?? ''))
    .map((step) => ({
      line: step.line,
      severity: 'error' as const,
      rule: 'session-exit',
      message: `the session opened by \`${step.command}\` has no way out: type exit on the page, or annotate the keys that leave it, e.g. keys="Ctrl+P Ctrl+Q"`,
    }));
};
