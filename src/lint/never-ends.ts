import type { Step } from '../types.js';
import type { Rule } from './rule.js';
import { neverEnding } from '../plan/never-ends.js';
import { inBackground } from '../plan/simple-commands.js';

/**
 * A command that never ends by itself and that nothing stops: the plan runs those it recognizes in
 * the background; one forced into the foreground (`background=false`) or needing a terminal, without a
 * timeout annotation or `&`/`-d` on the page, would hang the lesson there.
 */
export const neverEnds: Rule = ({ lesson }) =>
  lesson.steps.flatMap((step) => {
    if ((step.kind !== 'command' && step.kind !== 'interactive') || step.timeoutMs !== undefined) return [];
    if (step.kind === 'command' && step.background) return [];
    if (step.kind === 'interactive' && step.keys?.length) return [];
    if (inBackground(step.command)) return [];
    const why = neverEnding(step.command)?.reason;
    return why ? [finding(step, why)] : [];
  });

function finding(step: Step, why: string) {
  return {
    line: step.line,
    severity: 'error' as const,
    rule: 'never-ends',
    message: `${why} and never ends by itself: run it in the background on the page (& or -d), or annotate the block background (it then runs until a stop), timeout=… or skip="why"`,
  };
}
