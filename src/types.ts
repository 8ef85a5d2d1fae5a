// Plain data shared by every stage: parse → plan → run → normalize → check → report.
// Nothing here does I/O; each stage takes and returns these shapes.

/** Lesson-wide settings read from the page's YAML front matter. */
export interface Settings {
  title?: string;
  /** Programs the lesson needs; `docker` gives the lesson a Docker engine. */
  requires: string[];
  /** Default timeout of a step, in milliseconds. */
  timeoutMs: number;
  /** Extra prompt patterns (regex sources) recognised before shell commands. */
  prompts: string[];
  normalize: NormalizeSettings;
  /** Check the outputs the page shows, with wildcards, besides or instead of a snapshot (`check-page: true`). */
  checkPage?: boolean;
  /** The LANG steps run with (`locale:`); C.UTF-8 when unset. */
  locale?: string;
}

export interface NormalizeSettings {
  /** Built-in normalizers turned off by name. */
  disable: string[];
  /** Custom replacements applied after the built-in ones. */
  rules: { pattern: string; replace: string }[];
}

/** An annotation attached to the block it precedes (`<!-- lesson: ... -->`) or given in the fence's info string. */
export interface Annotations {
  /** A file name for the block (`title=` / `file=`). */
  file?: string;
  /** Keys that end an interactive session, e.g. `["Ctrl+P", "Ctrl+Q"]`. */
  keys?: string[];
  timeoutMs?: number;
  /** The step's exit status is expected to be non-zero. */
  fails?: boolean;
  /** Compare output lines as a set (order does not matter). */
  unordered?: boolean;
  /** Do not run this block. */
  skip?: string;
  /** Check (or, with `false`, do not check) the output this block shows against what runs. */
  checkPage?: boolean;
}

export type StepKind = 'file' | 'command' | 'interactive' | 'skip';

/** One ordered, checkable action of a lesson. The JSON of `lesson plan --json` is an array of these. */
export interface Step {
  /** Stable key in the snapshot: section slug + ordinal within the section. */
  id: string;
  kind: StepKind;
  /** Line in the Markdown file where the step starts. */
  line: number;
  /** file: the file's path, relative to the shell's current directory. */
  path?: string;
  /** file: its content. */
  content?: string;
  /** command / interactive: the shell command (continuations joined). */
  command?: string;
  /** interactive: lines typed at the inner prompt, in order. */
  input?: string[];
  /** interactive: keys sent after the input, e.g. `["Ctrl+P", "Ctrl+Q"]`. */
  keys?: string[];
  /** The output the page shows under the command, as written. */
  expected?: string;
  /** skip: why the block is not run. */
  reason?: string;
  timeoutMs?: number;
  fails?: boolean;
  unordered?: boolean;
  /** The output the page shows (`expected`) is the reference for this step, instead of a snapshot entry. */
  checkPage?: boolean;
}

/** A heading-delimited part of the page, kept so prose-only sections can be reported as such. */
export interface Section {
  title: string;
  slug: string;
  line: number;
  steps: number;
}

export interface Lesson {
  /** The lesson's name: its file name without `.md`. */
  name: string;
  /** Path of the Markdown file, as given. */
  path: string;
  settings: Settings;
  sections: Section[];
  steps: Step[];
}

/** What running one step produced, before normalization. */
export interface StepResult {
  step: Step;
  /** Exit status; null when the step did not finish. */
  exitCode: number | null;
  /** stdout and stderr interleaved as a terminal shows them; for interactive steps, the screen text. */
  output: string;
  durationMs: number;
  timedOut?: boolean;
  /** The signal (SIGINT, SIGTERM) that stopped the run while this step ran. */
  interrupted?: string;
  /** A message when the runner itself could not run the step (engine died, bad path...). */
  error?: string;
}

/** One step as recorded in a snapshot file. */
export interface SnapshotEntry {
  line: number;
  command?: string;
  path?: string;
  exit: number;
  output: string;
}

export interface Snapshot {
  lesson: string;
  /** Versions of the tools that produced the outputs, so a mismatch caused by another engine is easy to see. */
  environment: Record<string, string>;
  steps: Record<string, SnapshotEntry>;
}

/** A problem in a user's input, reported as `file:line: message` with exit code 2. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'InputError';
  }

  get location(): string {
    if (!this.file) return '';
    return this.line ? `${this.file}:${this.line}` : this.file;
  }

  /** `file:line: message`, or the message alone when no file is known. */
  describe(): string {
    return this.location ? `${this.location}: ${this.message}` : this.message;
  }
}
