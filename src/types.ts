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
  /** Images the lesson pulls besides those its commands name (`images: [ubuntu, redis]`). */
  images?: string[];
  /** The LANG steps run with (`locale:`); C.UTF-8 when unset. */
  locale?: string;
  /** Where each setting came from (parse/settings.ts): `default`, the config file's or the page's `file:line`, `command line`; one per item of a list. */
  origins?: Record<string, string[]>;
  /** Whether the lesson's private engine and its containers reach out (`network: outbound`); none when unset. */
  network?: NetworkChoice;
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
  /** `true`: the block's lines are typed into the session an earlier block left open; `false`: they run on the host, whatever their prompt. */
  session?: boolean;
  /** The step's id, given by the page (`id=`): its snapshot key stays when steps are added above it. */
  id?: string;
  /**
   * `true`, or a name: the block runs in another terminal, in the background, until a `stop` (the name is
   * what `stop=NAME` says); `false`: in the foreground, whatever it runs or the prose says.
   */
  background?: boolean | string;
  /** Background commands are stopped before this block: every one still running (`true`), or the one named. */
  stop?: true | string;
}

export type StepKind = Step['kind'];

/** What every step has, whatever its kind. */
interface StepBase {
  /** Stable key in the snapshot: section slug + ordinal within the section. */
  id: string;
  /** Line in the Markdown file where the step starts. */
  line: number;
  timeoutMs?: number;
  fails?: boolean;
  unordered?: boolean;
}

/** A file the page shows, written in the lesson shell's current directory. */
export interface FileStep extends StepBase {
  kind: 'file';
  /** Relative to the shell's current directory. */
  path: string;
  content: string;
}

/** What command and interactive steps share: a shell command and the output the page shows under it. */
interface ShellStepBase extends StepBase {
  /** The shell command (continuations joined). */
  command: string;
  /** The output the page shows under the command, as written. */
  expected?: string;
  /** The output the page shows (`expected`) is the reference for this step, instead of a snapshot entry. */
  checkPage?: boolean;
  /** Why the command would reach another Docker engine than the lesson's: it runs only with `--engine host`. */
  otherEngine?: string;
}

/** A command run in the lesson's shell, its output captured; or, with `background`, beside it until the lesson stops it. */
export interface CommandStep extends ShellStepBase {
  kind: 'command';
  /** The command keeps running while the page goes on, as in another terminal: it runs in the background from its step on. */
  background?: Background;
}

/** How a command that keeps running while the page goes on is run: from its step on, until the lesson stops it. */
export interface Background {
  /** What `stop=NAME` calls it: the `background=NAME` annotation's name, or the program it runs (`python3`, `docker`). */
  name: string;
  /** What tells that it keeps running: the command itself (`docker logs -f` follows the log), the page's prose, an annotation. */
  reason: string;
  stop: BackgroundStop;
}

/**
 * Where the lesson stops a background command (with Ctrl-C, as a reader would), its output then checked:
 * before the first step after `line`, or at the lesson's end. `annotation`: a later block's `stop`;
 * `ctrl-c`: a `^C` the page shows; `kill`: the page's own `pkill`/`killall` at `line` stops it, and the
 * lesson collects it after that step.
 */
export type BackgroundStop = { by: 'end' } | { by: 'annotation' | 'ctrl-c' | 'kill'; line: number };

/** A command run in a pseudo-terminal, with lines typed at its inner prompt. */
export interface InteractiveStep extends ShellStepBase {
  kind: 'interactive';
  /** Lines typed at the inner prompt, in order. */
  input: string[];
  /** Keys sent after the input, e.g. `["Ctrl+P", "Ctrl+Q"]`. */
  keys?: string[];
}

/**
 * Lines a later block types into the session an earlier interactive step opened and left open (a
 * reader's terminal still inside the container), after prose or other blocks: one step per block.
 */
export interface SessionInputStep extends StepBase {
  kind: 'session-input';
  /** The id of the interactive step whose session these lines are typed into. */
  session: string;
  /** Lines typed at the session's prompt, in order. */
  input: string[];
  /** Keys sent after the input, e.g. `["Ctrl+P", "Ctrl+Q"]`. */
  keys?: string[];
  /** The output the page shows under the lines, as written. */
  expected?: string;
  /** The output the page shows (`expected`) is the reference for this step, instead of a snapshot entry. */
  checkPage?: boolean;
}

/** A block that is not run, and why. */
export interface SkipStep extends StepBase {
  kind: 'skip';
  reason: string;
  /** The command the block holds, when it holds one (a PowerShell line). */
  command?: string;
  /** The fault of the page that made it a skip, reported by `lesson lint` under this rule name. */
  fault?: PageFault;
}

/** Skips that are the page's fault: a line at a container's prompt with no session open, a template or usage line. */
export type PageFault = 'container-prompt' | 'template';

/** One ordered, checkable action of a lesson. The JSON of `lesson plan --json` is an array of these. */
export type Step = FileStep | CommandStep | InteractiveStep | SessionInputStep | SkipStep;

/** A step that runs a shell command. */
export type ShellStep = CommandStep | InteractiveStep;

/** A step whose output the page may show: a command, or lines typed in a terminal. */
export type OutputStep = ShellStep | SessionInputStep;

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
  /** What the lesson needs: the front matter's `requires`, then what its steps run (`inferred`). */
  requires: string[];
  /** The programs read from the steps, not declared in the front matter. */
  inferred: string[];
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
  /** Other machines' variants (src/snapshot/variants.ts): each with its environment and the entries that differ from `steps`. */
  variants?: SnapshotVariant[];
  /** The version of the normalizers that wrote `steps` (src/normalize/version.ts); none: 1. */
  normalizers?: number;
}

export interface SnapshotVariant {
  normalizers?: number;
  environment: Record<string, string>;
  steps: Record<string, SnapshotEntry>;
}

/** Which Docker engine lessons use: a private one per run, or the user's own; chosen on the command line only. */
export type EngineChoice = 'private' | 'host';

export const engineChoices: readonly EngineChoice[] = ['private', 'host'];

/** What a private engine and its containers reach: nothing beyond themselves, or the outside through slirp4netns. */
export type NetworkChoice = 'none' | 'outbound';

export const networkChoices: readonly NetworkChoice[] = ['none', 'outbound'];
