import { commandOutput, isOutputLine, type CommandOutput } from './output.js';
import { isKnownProgram, programOf } from './programs.js';
import { matchPrompt, opensWithShortPrompt, type PromptMatch } from './prompts.js';
import { terminalUse } from './session.js';
import { endsInsideQuote, heredocs, looksLikeCommand, withoutComment, type Heredoc } from './words.js';

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
  /** The prompt the command was typed at, as written (`$ `, `root@04c0bb0a6c07:/# `); none in a block with no prompt. */
  prompt?: string;
  /** Where the page shows it: the block lines of the command (continuations included), its typed lines and its output lines. */
  at: CommandLines;
  /** The line of a `^C` the page shows after the command: the reader stopped it there. */
  interruptedAt?: number;
}

/** The page lines of a command, for `lesson fix`, which rewrites the output lines in place. */
export interface CommandLines {
  /** The command's last line: its continuations and here-documents included. */
  last: number;
  /** The line of each line typed in its session, in order. */
  input: number[];
  /** The line of each output line (parallel to `output`). */
  output: number[];
  /** For each output line, how many lines had been typed in the session before it. */
  turn: number[];
}

export interface ShellBlockOptions {
  /** The block's first content line in the page. */
  firstLine: number;
  /** A script (```bash, ```sh): `# ` lines are comments, not a root prompt. */
  script: boolean;
  prompts?: RegExp[];
}

/** `^C` on a line of its own: the author pressed Ctrl+C; a keystroke, not output. */
const interrupt = /^\s*\^C\s*$/;

/** What the current command still needs from the next lines before it is complete. */
interface Pending {
  /** The line ended with `\`, or a quote is still open. */
  continued: boolean;
  heredocs: Heredoc[];
}

/**
 * Splits a shell block into commands as a reader of the page sees them: prompted lines are
 * commands and the lines under them their output; in a block with no prompt, every line is a
 * command unless it is clearly output (see `isOutputLine`). `\` continuations, open quotes and
 * here-documents are joined; lines typed inside an inner session (after `docker run -it ...`)
 * become that session's input.
 */
export function splitShellBlock(text: string, options: ShellBlockOptions): ShellCommand[] {
  const lines = withoutSharedIndent(text.split('\n'));
  const outputs = new Map<string, CommandOutput>();
  /** What a command says about its output, read once per command of the block. */
  const outputOf = (command: string) => outputs.get(command) ?? outputs.set(command, commandOutput(command)).get(command)!;
  const shortPrompts = opensWithShortPrompt(lines);
  const prompts = lines.map((line) => readPrompt(line, options, shortPrompts));
  const prompted = prompts.some((found) => found !== undefined && found.rest !== '' && found.style !== 'root');

  const commands: ShellCommand[] = [];
  let current: ShellCommand | undefined;
  let pending: Pending = { continued: false, heredocs: [] };
  /** The last line was the `exit` that ended a session: an unprompted line now is typed on the host. */
  let justClosed = false;
  /** In a block with no `$` prompt, a session whose lines are marked with `# `: its other lines are output. */
  let sessionPrompted = false;
  /** How much output the session had when its last line was typed. */
  let outputAtInput = 0;

  const startCommand = (typed: string, line: number, powershell = false, prompt?: string) => {
    current = { line, command: withoutComment(typed), output: [], terminal: 'none', input: [], closed: false, powershell, ...(prompt !== undefined && { prompt }), at: { last: line, input: [], output: [], turn: [] } };
    commands.push(current);
    pending = { continued: false, heredocs: [] };
    sessionPrompted = false;
    outputAtInput = 0;
    complete(current, typed, pending);
  };

  lines.forEach((raw, index) => {
    const line = options.firstLine + index;
    const afterExit = justClosed;
    justClosed = false;
    if (current && (pending.continued || pending.heredocs.length > 0)) {
      continueCommand(current, prompted ? raw.replace(/^> ?/, '') : raw, pending);
      current.at.last = line;
      return;
    }
    if (interrupt.test(raw)) {
      if (current && current.interruptedAt === undefined) current.interruptedAt = line;
      return;
    }

    const found = prompts[index];
    const inSession = current?.terminal === 'session' && !current.closed;
    if (found && (found.style !== 'root' || inSession || (!prompted && isRootCommand(found.rest)))) {
      const typed = unprompt(found.rest, options, shortPrompts);
      if (typed === '' || (found.style !== 'root' && /^#/.test(typed))) return; // the author's terminal waiting, or a comment
      if (inSession && current) {
        sessionPrompted = true;
        justClosed = typeInSession(current, typed, line);
        return;
      }
      return startCommand(typed, line, found.style === 'powershell', found.prompt);
    }
    if (inSession && current && !prompted && !sessionPrompted && typedInSession(raw, current, current.output.length > outputAtInput, outputOf)) {
      justClosed = typeInSession(current, raw.trim(), line);
      outputAtInput = current.output.length;
      return;
    }
    if (!prompted && raw.trim().startsWith('#')) return; // a comment: a root prompt was ruled out above
    if (readsAsCommand(raw, current, prompted, afterExit, outputOf)) return startCommand(raw.trim(), line);
    if (current && (raw.trim() !== '' || current.output.length > 0)) {
      current.output.push(raw);
      current.at.output.push(line);
      current.at.turn.push(current.input.length);
    }
  });

  for (const command of commands) trimTrailingBlank(command);
  return commands;
}

function readPrompt(line: string, options: ShellBlockOptions, shortPrompts: boolean): PromptMatch | undefined {
  const found = matchPrompt(line, options.prompts, shortPrompts);
  if (found?.style === 'root' && options.script) return undefined;
  return found;
}

/** `$ $ docker ps` (a prompt pasted twice) → `docker ps`. */
function unprompt(rest: string, options: ShellBlockOptions, shortPrompts: boolean): string {
  const again = matchPrompt(rest, options.prompts, shortPrompts);
  return again && again.style === 'shell' && again.rest !== '' ? unprompt(again.rest, options, shortPrompts) : rest;
}

/** `# apt-get install -y jq` or `# usermod -aG docker $USER` is a root prompt; `# build the image` is a comment. */
function isRootCommand(rest: string): boolean {
  return looksLikeCommand(rest) && (isKnownProgram(programOf(rest)) || /^\.{0,2}\//.test(rest) || /\s(?:\||&&|>|-{1,2}[a-zA-Z]|\$\w)|&$/.test(rest));
}

/**
 * An unprompted line starts a command: in a block with no prompt, unless it is clearly output; in
 * a prompted block, only before the first prompt or right after a session the page ended with `exit`.
 */
function readsAsCommand(raw: string, current: ShellCommand | undefined, prompted: boolean, afterExit: boolean, outputOf: (command: string) => CommandOutput): boolean {
  if (raw.trim() === '' || !looksLikeCommand(raw)) return false;
  if (!current || afterExit) return true;
  return !prompted && !isOutputLine(raw, outputOf(current.command), current.output.length > 0);
}

/** In a session with no prompt at all, a line is typed unless it is clearly the output of the line typed before it. */
function typedInSession(raw: string, session: ShellCommand, outputSinceInput: boolean, outputOf: (command: string) => CommandOutput): boolean {
  if (raw.trim() === '') return false;
  const typed = session.input.at(-1);
  return typed === undefined || !isOutputLine(raw, outputOf(typed), outputSinceInput);
}

/** Types a line in the session; true when it is the `exit` that ends it. */
function typeInSession(session: ShellCommand, typed: string, line: number): boolean {
  session.input.push(withoutComment(typed));
  session.at.input.push(line);
  session.closed = /^(exit|logout)(\s|$)/.test(typed);
  return session.closed;
}

function continueCommand(command: ShellCommand, raw: string, pending: Pending): void {
  const heredoc = pending.heredocs[0];
  if (heredoc) {
    command.command += '\n' + raw;
    if ((heredoc.stripTabs ? raw.replace(/^\t+/, '') : raw) === heredoc.delimiter) pending.heredocs.shift();
    if (pending.heredocs.length === 0) command.terminal = terminalUse(command.command);
    return;
  }
  command.command += '\n' + withoutComment(raw);
  complete(command, raw, pending);
}

/** Reads what a command line leaves open: a `\` or a quote continues it, `<<EOF` opens a document. */
function complete(command: ShellCommand, raw: string, pending: Pending): void {
  pending.continued = withoutComment(raw).endsWith('\\') || endsInsideQuote(command.command);
  pending.heredocs.push(...heredocs(raw));
  if (!pending.continued && pending.heredocs.length === 0) command.terminal = terminalUse(command.command);
}

function trimTrailingBlank({ output, at }: ShellCommand): void {
  while (output.length > 0 && output.at(-1)!.trim() === '') {
    output.pop();
    at.output.pop();
    at.turn.pop();
  }
}

/**
 * A block indented as a whole (a space before every line, as some pages have) reads as the same block
 * without it: its prompts are prompts and its output is what the command prints.
 */
function withoutSharedIndent(lines: string[]): string[] {
  const filled = lines.filter((line) => line.trim() !== '');
  const first = filled[0];
  if (first === undefined) return lines;
  let shared = /^[ \t]*/.exec(first)?.[0] ?? '';
  for (const line of filled) while (shared && !line.startsWith(shared)) shared = shared.slice(0, -1);
  return shared ? lines.map((line) => line.slice(Math.min(shared.length, line.length - line.trimStart().length))) : lines;
}
