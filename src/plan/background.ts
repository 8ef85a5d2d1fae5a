// Commands that keep running while the page goes on, as in a reader's other terminal: which ones, and
// where the lesson stops them. Pure.

import type { CodeBlock } from '../parse/page.js';
import type { Background, BackgroundStop, CommandStep, ShellStep, Step } from '../types.js';
import { InputError } from '../errors.js';
import { neverEnding, programName } from './never-ends.js';
import type { ShellCommand } from './shell-block.js';
import { inBackground, simpleCommands } from './simple-commands.js';

/** A command step that runs in the background. */
export type BackgroundCommand = CommandStep & { background: Background };

export function runsInBackground(step: Step): step is BackgroundCommand {
  return step.kind === 'command' && step.background !== undefined;
}

// What a page says before a block that runs beside the first terminal: "In another terminal, run:",
// "Open a new terminal window and start the server", "Dans un autre terminal, lancez :".
const anotherTerminal = [
  /\b(?:another|a\s+second|a\s+new|a\s+separate|a\s+different|one\s+more|a\s+2nd)\s+(?:terminal|shell|console)\b/i,
  /\b(?:un|une)\s+(?:autre|second|seconde|deuxième|nouveau|nouvelle)\s+(?:terminal|shell|console|fenêtre\s+de\s+terminal|onglet\s+de\s+terminal)\b/i,
];

/** The words of the prose that say the block runs in another terminal, or undefined. */
export function anotherTerminalPhrase(intro: string | undefined): string | undefined {
  if (intro === undefined) return undefined;
  const text = intro.replace(/\s+/g, ' ');
  for (const pattern of anotherTerminal) {
    const found = pattern.exec(text);
    if (found) return found[0];
  }
  return undefined;
}

/** `^C` on a line of its own: the reader pressed Ctrl+C. */
const interrupt = /^\s*\^C\s*$/;

/** What a block's `stop` annotation or leading `^C` stopped. */
export interface BlockStops {
  /** The block shows nothing but `^C`: it is the stop, not a step nor an output. */
  onlyInterrupt: boolean;
}

/**
 * The background commands of a page as a reader follows it: each started at its step, stopped at the
 * step the page says (a `stop` annotation, a `^C` or a `pkill` it shows), or at the lesson's end.
 */
export class PageBackground {
  /** Background steps not stopped yet, in the order they started. */
  private readonly running: BackgroundCommand[] = [];

  constructor(private readonly file: string) {}

  /**
   * What the block stops before its steps: a `stop` annotation (every background command, or the one
   * named), or a `^C` before its first command (the last one started).
   */
  atBlock(block: CodeBlock): BlockStops {
    const { stop } = block.annotations;
    if (stop !== undefined) {
      const chosen = stop === true ? [...this.running] : this.running.filter((step) => step.background.name === stop);
      if (chosen.length === 0) {
        const known = this.running.map((step) => `${step.background.name} (line ${step.line})`).join(', ');
        const what = stop === true ? 'no background command is running here' : `no background command named "${stop}" is running here`;
        throw new InputError(`annotation "stop": ${what}${known ? `; running: ${known}` : ''}`, this.file, block.line);
      }
      // Stopped before the first step after `line`: the fence, or, for a command in inline code, the line before it.
      const line = block.inline ? block.line - 1 : block.line;
      for (const step of chosen) this.stop(step, { by: 'annotation', line });
    }
    if (block.inline) return { onlyInterrupt: false };
    const lines = block.value.split('\n');
    const first = lines.findIndex((line) => line.trim() !== '' && !interrupt.test(line));
    const leading = lines.slice(0, first < 0 ? lines.length : first).findIndex((line) => interrupt.test(line));
    const last = this.running.at(-1);
    if (leading < 0 || !last) return { onlyInterrupt: false };
    this.stop(last, { by: 'ctrl-c', line: block.contentLine + leading });
    return { onlyInterrupt: first < 0 };
  }

  /**
   * Why the block as a whole runs in another terminal: an annotation, or the prose before it. Not
   * while a session is open: the other terminal is then the host's, the first one being in the
   * container. Only a block of plain host commands; they run there one after the other, as typed.
   */
  wholeBlock(block: CodeBlock, commands: ShellCommand[], sessionOpen: boolean): string | undefined {
    const { background } = block.annotations;
    if (background === false || commands.length === 0) return undefined;
    if (commands.some((command) => command.terminal !== 'none' || command.powershell || inBackground(command.command))) return undefined;
    if (background !== undefined) return 'annotated background';
    const phrase = sessionOpen ? undefined : anotherTerminalPhrase(block.intro);
    return phrase === undefined ? undefined : `the page says "${phrase}"`;
  }

  /** Makes `step` a background step for `reason`, running from now on. */
  start(step: CommandStep, reason: string, block: CodeBlock): BackgroundCommand {
    const { background } = block.annotations;
    const stop: BackgroundStop = { by: 'end' };
    const started: BackgroundCommand = Object.assign(step, { background: { name: typeof background === 'string' ? background : programOf(step.command), reason, stop } });
    this.running.push(started);
    return started;
  }

  /**
   * A command planned on the host: one that never ends by itself runs in the background (unless the
   * block says `background=false`, or the page runs it with `&`); one that `pkill`s or `killall`s a
   * background command stops it. A `^C` the page shows under the command stops it there.
   */
  ran(step: ShellStep, command: ShellCommand, block: CodeBlock): void {
    if (step.kind !== 'command') return;
    const endless = neverEnding(step.command);
    if (endless && block.annotations.background !== false && !inBackground(step.command)) {
      const started = this.start(step, endless.reason, block);
      if (command.interruptedAt !== undefined) this.stop(started, { by: 'ctrl-c', line: command.interruptedAt });
      return;
    }
    for (const target of this.running.filter((running) => kills(step.command, running))) this.stop(target, { by: 'kill', line: step.line });
  }

  private stop(step: BackgroundCommand, stop: BackgroundStop): void {
    step.background.stop = stop;
    this.running.splice(this.running.indexOf(step), 1);
  }
}

/** Whether `command` is a `pkill`/`killall` that names the background command's process. */
function kills(command: string, step: BackgroundCommand): boolean {
  return simpleCommands(command).some(([program, ...args]) => {
    if (program !== 'pkill' && program !== 'killall') return false;
    const full = program === 'pkill' && args.some((arg) => /^-\w*f/.test(arg) || arg === '--full');
    const patterns = args.filter((arg) => !arg.startsWith('-'));
    const process = programOf(step.command);
    return patterns.some((pattern) => (program === 'killall' ? pattern === process : matches(pattern, full ? step.command : process)));
  });
}

/** The program a background command keeps running: the one that never ends, or the last one of the line. */
function programOf(command: string): string {
  return neverEnding(command)?.program ?? programName(simpleCommands(command).at(-1) ?? []);
}

/** `pkill`'s pattern is an extended regular expression; one JavaScript cannot read is compared as text. */
function matches(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern).test(text);
  } catch {
    return text.includes(pattern);
  }
}
