import { shellWords, withoutHeredocBodies } from './words.js';

// `<container-id>`, `<your name>`: not `<<EOF`, `<(cmd)`, `< file`, nor `<in >out`.
export const placeholderPattern = /(?<![<\w])<([A-Za-z][\w.-]*(?: [\w.-]+)*)>/g;
/** `[OPTIONS]`, `[ARG...]`, `[COMMAND]`: a usage line's syntax, not arguments. */
const syntaxWord = /^\[[A-Z][A-Z_|-]*(?:\.\.\.|…)?\]$/;

/**
 * Why a command is a template a reader fills in rather than one to run, or undefined: a
 * `<placeholder>`, a usage line's `[OPTIONS]`, `...` standing for arguments, or words joined with
 * `-or-` (`name-or-first-alias-or-container-id.network-name`, an output's template). Pure.
 */
export function templateReason(command: string): string | undefined {
  const typed = unquoted(withoutHeredocBodies(command));
  const [placeholder] = placeholdersIn(typed);
  if (placeholder) return `placeholder ${placeholder} in a command: not run; write a real value on the page, or annotate the block skip="why"`;
  const words = shellWords(typed.replace(/\\\n/g, ' '));
  const syntax = words.find((word) => syntaxWord.test(word));
  if (syntax) return `usage syntax ${syntax} in a command: not run`;
  if (words.slice(1).some((word) => word === '...' || word === '…')) return '`...` stands for arguments the page leaves out: not run';
  if (/\w-or-\w/.test(words[0] ?? '')) return `\`${words[0]}\` is a template, not a command: not run`;
  return undefined;
}

/** The `<placeholders>` in typed text, quoted parts aside: `grep '<title>'` quotes HTML, it does not ask for a value. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...unquoted(text).matchAll(placeholderPattern)].map((match) => match[0]))];
}

/** The text with quoted parts blanked: what is in quotes is the command's data, never a template's. */
function unquoted(text: string): string {
  return text.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, (quoted) => ' '.repeat(quoted.length));
}
