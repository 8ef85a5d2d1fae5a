import type { Rule } from './rule.js';

/**
 * A line at a container's prompt (`root@04c0bb0a6c07:/#`, `[root@0ecccdfa45ef /]#`, `/ #`) where the
 * page has no session open: the plan never runs it on the host, so what the page shows there is not
 * checked. The page opens the session first, or says the block is the host's (`session=false`).
 */
export const containerPrompt: Rule = ({ lesson }) =>
  lesson.steps.flatMap((step) =>
    step.kind === 'skip' && step.fault === 'container-prompt'
      ? [{ line: step.line, severity: 'error' as const, rule: 'container-prompt', message: `\`${step.command ?? ''}\` is ${step.reason}` }]
      : [],
  );
