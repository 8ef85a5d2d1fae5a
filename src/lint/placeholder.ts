import type { Rule } from './rule.js';
import { withoutHeredocBodies } from './simple-commands.js';

// `<container-id>`, `<your name>`: not `<<EOF`, `<(cmd)`, `< file`, nor `<in >out`.
const placeholderPattern = /(?<![<\w])<([A-Za-z][\w.-]*(?: [\w.-]+)*)>/g;

/** A `<placeholder>` in a command: the page expects the reader to fill it in, which a run cannot. */
export const placeholder: Rule = ({ lesson }) =>
  lesson.steps.flatMap((step) => {
    if (step.kind !== 'command' && step.kind !== 'interactive' && step.kind !== 'session-input') return [];
    const typed = step.kind === 'session-input' ? step.input : [withoutHeredocBodies(step.command), ...(step.kind === 'interactive' ? step.input : [])];
    const found = new Set(typed.flatMap((text) => [...unquoted(text).matchAll(placeholderPattern)].map((match) => match[0])));
    return [...found].map((name) => ({
      line: step.line,
      severity: 'error' as const,
      rule: 'placeholder',
      message: `placeholder ${name} in a command: write a real value on the page, or annotate the block skip="why"`,
    }));
  });

/** The text with quoted parts blanked: `grep '<title>'` quotes HTML, it does not ask for a value. */
function unquoted(text: string): string {
  return text.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, (quoted) => ' '.repeat(quoted.length));
}
