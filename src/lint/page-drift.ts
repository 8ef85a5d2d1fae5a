import { startPageMatching } from '../judge/page-match.js';
import type { ShellStep } from '../types.js';
import type { Finding, Rule } from './rule.js';
import { simpleCommands } from '../plan/simple-commands.js';

/**
 * Output a page shows that can no longer match what its step prints: the command sends all of its
 * output elsewhere, or the output the step printed last time (its snapshot entry) differs from
 * the page's. An error where the page is the step's reference (`check-page`), a warning elsewhere:
 * there the run passes, but the page misleads its reader.
 */
export const pageDrift: Rule = ({ lesson, recorded }) => {
  const compare = startPageMatching(lesson.settings.normalize);
  const findings: Finding[] = [];
  for (const step of lesson.steps) {
    if ((step.kind !== 'command' && step.kind !== 'interactive' && step.kind !== 'session-input') || step.expected === undefined) continue;
    const severity = step.checkPage ? 'error' : 'warning';
    const elsewhere = step.kind === 'session-input' ? undefined : silenced(step);
    if (elsewhere) {
      findings.push({ line: step.line, severity, rule: 'page-output', message: `the page shows output, but the command sends all of it to ${elsewhere}` });
      continue;
    }
    const entry = recorded?.steps[step.id];
    if (!entry || entry.command !== (step.kind === 'session-input' ? step.input.join('\n') : step.command)) continue;
    const page = compare(step.expected, entry.output);
    if (step.kind === 'command' ? page.ok : page.shown) continue;
    findings.push({
      line: step.line,
      severity,
      rule: 'page-output',
      message: `page output matches ${page.matched}/${page.total} lines of what the step printed when its snapshot was recorded`,
    });
  }
  return findings;
};

/** Where the last command of the line sends both its output and its errors, if it does. */
function silenced(step: ShellStep): string | undefined {
  const words = simpleCommands(step.command).at(-1) ?? [];
  const redirect = (operator: RegExp) => {
    const index = words.findIndex((word) => operator.test(word));
    return index < 0 ? undefined : words[index]!.replace(operator, '') || words[index + 1];
  };
  const all = redirect(/^&>>?/);
  if (all) return all;
  const out = redirect(/^1?>>?(?!&)/);
  const errors = words.includes('2>&1') ? out : redirect(/^2>>?(?!&)/);
  return out && errors ? out : undefined;
}
