import type { ShellCommand } from './shell-block.js';

// Where the page shows each step's output, line by line, for `lesson fix`, which rewrites those lines
// in place. The plan's steps keep the output as text (`expected`); this keeps its lines.

/** A run of output lines the page shows: under a command, or under one line typed in a session. */
export interface OutputPart {
  /** The page lines of the output, in order (blank lines between them included); none when the page shows none. */
  lines: number[];
  /** The line new output would go under when the page shows none: the command's last line, or the typed line. */
  after: number;
  /** The line typed in the session just before this output; none for what a command prints before anything is typed. */
  typed?: string;
}

export interface OutputPlace {
  /** One part for a command; for a session, what shows before the first typed line, then one part per typed line. */
  parts: OutputPart[];
  /** The output is a block of its own (a ```text block after the command): it holds the whole output, with no part per typed line. */
  whole?: boolean;
  /** Whether the page's output is compared with what runs here: false when the block says `check-page=false`. */
  checked: boolean;
  /** The code block the output lines are in: its first content line and its text, for the indentation of each line. */
  block: { contentLine: number; value: string };
}

/** The parts of a command's output: before anything is typed (`typed` given: the command is itself a typed line), then after each typed line. */
export function partsOf(command: ShellCommand, typed?: string): OutputPart[] {
  const { at } = command;
  const linesAfter = (turn: number) => at.output.filter((_, index) => at.turn[index] === turn);
  return [
    { lines: linesAfter(0), after: at.last, ...(typed !== undefined && { typed }) },
    ...command.input.map((input, index) => ({ lines: linesAfter(index + 1), after: at.input[index] ?? at.last, typed: input })),
  ];
}

/** The place of an output shown as a block of its own, under the command's block. */
export function blockPlace(block: { contentLine: number; value: string; line: number }, checked: boolean): OutputPlace {
  const shown = block.value.replace(/\n+$/, '');
  const count = shown === '' ? 0 : shown.split('\n').length;
  const lines = Array.from({ length: count }, (_, index) => block.contentLine + index);
  return { parts: [{ lines, after: block.contentLine - 1 }], whole: true, checked, block: { contentLine: block.contentLine, value: block.value } };
}
