import type { Rule } from './rule.js';

/** A command that would reach another Docker engine than the lesson's: it is refused on a private engine. */
export const otherEngineUse: Rule = ({ lesson }) =>
  lesson.steps.flatMap((step) =>
    (step.kind === 'command' || step.kind === 'interactive') && step.otherEngine
      ? [{
          line: step.line,
          severity: 'error' as const,
          rule: 'other-engine',
          message: `this command ${step.otherEngine}: a lesson runs it only with --engine host, since it could reach the reader's own engine; drop it, or annotate the block skip="why"`,
        }]
      : [],
  );
