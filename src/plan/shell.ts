import { matchPrompt, type PromptMatch } from './prompts.js';
import { terminalUse } from './session.js';
import { looksLikeCommand } from './words.js';

/** A command found in a shell block, with what the page shows after it. */
export interface ShellCommand {
  line: number;
  command: string;
  /** Lines the page shows under the command. */
  output: string[];
  terminal: 'none' | 'tty' | 'session';
  /** Lines typed at the inner prompt of a session. */
  input: string[];
  /** A session that the page ends itself, with `exit`. */
  closed: boolean;
  powershell: boolean;
}

export interface ShellBlockOptions {
  /** The block's first content line in the page. */
  firstLine: number;
  /** A script (```bash, ```sh): `# ` lines are comments, not a root prompt. */
  script: boolean;
  prompts?: RegExp[];
}

/**
 * Splits a shell block into commands as a reader of the page sees them: prompted lines are
 * commands and the lines under them their output; in a block with no prompt, every line that
 * reads as a command is one. `\` continuations are joined; lines typed inside an inner session
 * (after `docker run -it ...`) become that session's input.
 */
export function splitShellBlock(text: string, options: ShellBlockOptions): ShellCommand[] {
  const lines = text.split('\n');
  const prompt = (line: string) => readPrompt(line, options);
  const prompted = lines.some((line) => {
    const found = prompt(line);
    return found !== undefined && found.rest !== '' && !found.ambiguous;
  });

  const commands: ShellCommand[] = [];
  let current: ShellCommand | undefined;
  let continuing = false;

  lines.forEach((raw, index) => {
    const line = options.firstLine + index;
    if (continuing && current) {
      const text = raw.replace(/^> /, ''); // PS2 prompt of a continued line
      current.command += '\n' + text;
      continuing = text.endsWith('\\');
      if (!continuing) current.terminal = terminalUse(current.command);
      return;
    }

    const found = prompt(raw);
    const inSession = current?.terminal === 'session' && !current.closed;

    if (inSession && current && (found ? found.rest !== '' : !prompted && raw.trim() !== '')) {
      const typed = found ? found.rest : raw.trim();
      current.input.push(typed);
      if (/^exit(\s|$)/.test(typed)) current.closed = true;
      return;
    }
    if (found && (prompted ? !found.ambiguous : found.ambiguous && looksLikeCommand(found.rest))) {
      if (found.rest === '') return; // a bare prompt: the author's terminal waiting, nothing typed
      current = start(found.rest, line, found.powershell);
      commands.push(current);
      continuing = found.rest.endsWith('\\');
      return;
    }
    if (!prompted && isComment(raw, options)) return;
    if (!prompted && looksLikeCommand(raw)) {
      current = start(raw.trim(), line, false);
      commands.push(current);
      continuing = current.command.endsWith('\\');
      return;
    }
    if (current && (raw.trim() !== '' || current.output.length > 0)) current.output.push(raw);
  });

  for (const command of commands) trimTrailingBlank(command.output);
  return commands;
}

function readPrompt(line: string, options: ShellBlockOptions): PromptMatch | undefined {
  const found = matchPrompt(line, options.prompts);
  if (found?.ambiguous && options.script) return undefined;
  return found;
}

function start(command: string, line: number, powershell: boolean): ShellCommand {
  return { line, command, output: [], terminal: terminalUse(command), input: [], closed: false, powershell };
}

function isComment(line: string, options: ShellBlockOptions): boolean {
  const trimmed = line.trim();
  return trimmed.startsWith('#') && (options.script || !looksLikeCommand(trimmed.replace(/^#\s*/, '')));
}

function trimTrailingBlank(lines: string[]): void {
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
}
