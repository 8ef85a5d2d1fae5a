import { hasNoWayOut } from '../plan/page-sessions.js';
import type { InteractiveStep } from '../types.js';
import type { Rule } from './rule.js';

/**
 * An interactive session the page never leaves: nothing typed ends it (`exit`), no keys detach from
 * it and no later block goes on in it, so the run would wait at the inner prompt until the step times out.
 */
export const sessionExit: Rule = ({ lesson }) =>
  lesson.steps
    .filter((step): step is InteractiveStep => step.kind === 'interactive' && hasNoWayOut(step, lesson.steps))
    .map((step) => ({
      line: step.line,
      severity: 'error' as const,
      rule: 'session-exit',
      message: `the session opened by \`${step.command}\` has no way out: type exit on the page, or annotate the keys that leave it, e.g. keys="Ctrl+P Ctrl+Q"`,
    }));
