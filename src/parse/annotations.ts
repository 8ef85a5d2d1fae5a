import type { Annotations } from '../types.js';
import { InputError } from '../errors.js';
import { keySequence } from './keys.js';
import { parseDuration } from '../duration.js';

/** The keys an annotation may use, with what each takes; the docs and error messages list these. */
export const annotationKeys = {
  file: 'a file name: the block is written to that file',
  title: 'same as file (docker docs style)',
  keys: 'keys that end an interactive session, e.g. "Ctrl+P Ctrl+Q"',
  timeout: 'a duration for this step: 30s, 2m, 500ms',
  fails: 'the step is expected to exit with a non-zero status',
  unordered: 'compare output lines as a set',
  skip: 'do not run this block; the value says why',
  'check-page': 'check the output this block shows against what runs (check-page=false: do not)',
  session: "type the block's lines into the session an earlier block left open (session=false: run them on the host)",
  id: "a stable id for the block's step, its key in the snapshot (a block of several steps: ID, ID-2, ID-3...)",
  background: 'run the block in the background, as in another terminal, until a stop (background=NAME names it; background=false: in the foreground)',
  stop: 'stop the background commands still running before this block (stop=NAME: the one named)',
} as const;

/** A problem found while reading a page that a lenient reader (`lesson lint`) reports instead of stopping at. */
export interface Problem {
  line: number;
  message: string;
}

/** What an `id=` may be: a snapshot key that reads well in YAML and on a command line (`--step ID`). */
const stepId = /^[A-Za-z0-9][\w.-]*$/;

const attribute = /([A-Za-z][\w-]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"'}]+))?/g;

/**
 * Reads `key=value key="a b" flag` pairs, as found in `<!-- lesson: ... -->` comments
 * and in a fence's info string (`dockerfile {title=Dockerfile}`).
 * `strict` rejects unknown keys: an annotation comment is ours, while an info string may hold other tools' attributes.
 * With `problems`, an unknown key is recorded there instead of thrown.
 */
export function parseAnnotations(text: string, where: { file: string; line: number; strict: boolean; problems?: Problem[] }): Annotations {
  const result: Annotations = {};
  for (const [, rawKey, rawValue] of text.replace(/[{}]/g, ' ').matchAll(attribute)) {
    const key = rawKey!.toLowerCase();
    const value = rawValue === undefined ? undefined : unquote(rawValue);
    const fail = (message: string) => new InputError(message, where.file, where.line);
    switch (key) {
      case 'file':
      case 'title':
        if (!value) throw fail(`annotation "${key}" needs a file name`);
        result.file = value;
        break;
      case 'keys':
        if (!value) throw fail('annotation "keys" needs keys, e.g. keys="Ctrl+P Ctrl+Q"');
        result.keys = value.split(/[\s,]+/).filter(Boolean);
        // A misspelt key would otherwise be found only when the session ends, after every step before it ran.
        for (const name of result.keys) {
          try {
            keySequence(name);
          } catch (error) {
            throw fail(`annotation "keys": ${(error as Error).message}`);
          }
        }
        break;
      case 'timeout': {
        const ms = parseDuration(value);
        if (ms === undefined) throw fail(`annotation "timeout" needs a duration like 30s, got ${JSON.stringify(value ?? '')}`);
        result.timeoutMs = ms;
        break;
      }
      case 'fails':
        result.fails = value !== 'false';
        break;
      case 'unordered':
        result.unordered = value !== 'false';
        break;
      case 'skip':
        result.skip = value ?? 'marked skip';
        break;
      case 'check-page':
        result.checkPage = value !== 'false';
        break;
      case 'session':
        result.session = value !== 'false';
        break;
      case 'id':
        if (!value || !stepId.test(value)) throw fail(`annotation "id" needs a name of letters, digits, '-', '_' or '.', starting with a letter or a digit; got ${JSON.stringify(value ?? '')}`);
        result.id = value;
        break;
      case 'background':
        if (value !== undefined && !/^[\w.-]+$/.test(value)) throw fail(`annotation "background" takes a name (letters, digits, - _ .) or false, got ${JSON.stringify(value)}`);
        result.background = value === undefined || value === 'true' ? true : value === 'false' ? false : value;
        break;
      case 'stop':
        if (value !== undefined && !/^[\w.-]+$/.test(value)) throw fail(`annotation "stop" takes the name of a background command, got ${JSON.stringify(value)}`);
        result.stop = value === undefined || value === 'true' ? true : value;
        break;
      default:
        if (where.strict) {
          const message = `unknown annotation "${rawKey}"; known: ${Object.keys(annotationKeys).join(', ')}`;
          if (!where.problems) throw fail(message);
          where.problems.push({ line: where.line, message });
        }
    }
  }
  return result;
}

function unquote(value: string): string {
  if (value.startsWith('"')) return value.slice(1, -1).replace(/\\(.)/g, '$1');
  if (value.startsWith("'")) return value.slice(1, -1);
  return value;
}

const comment = /^<!--\s*lesson:([\s\S]*?)-->\s*$/;

/** The body of a `<!-- lesson: ... -->` comment, or undefined for any other HTML. */
export function annotationComment(html: string): string | undefined {
  return comment.exec(html.trim())?.[1];
}
