// Commands that keep running while the page goes on, as in a reader's other terminal: each runs in a
// pseudo-terminal of its own, in the lesson's sandbox and environment, from the lesson shell's directory
// with its variables, its output captured to a file; the lesson stops it with Ctrl-C where the page
// says, or at its end, and its result is judged then, once.

import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { IPty } from 'node-pty';
import type { BackgroundCommand } from '../plan/background.js';
import type { Step, StepResult } from '../types.js';
import { within } from '../duration.js';
import { onInterrupt } from './cleanup.js';
import { quote, saveShellState } from './interactive.js';
import { killSession, signalSession } from './kill.js';
import type { LessonShell } from './lesson-shell.js';
import { sandboxed } from './sandbox.js';

/**
 * Before the page goes on, a background command gets this long to print its first output and pause
 * (a server says it listens, a follower prints what it has): a reader waits for that too. One that
 * prints nothing at first (`docker events`) gets all of it, enough to connect.
 */
const READY_MS = 1000;
/** Output that pauses this long has said what it had to say for now. */
const SETTLE_MS = 200;
/** At its stop, how long output still coming (the log line of the last request) is waited for. */
const DRAIN_MS = 2000;
/** After Ctrl-C, then after SIGTERM, how long the command has to end before the next, harder signal. */
const GRACE_MS = 2000;
const POLL_MS = 25;
/** How many times a sandbox that failed to set up is started again. */
const SANDBOX_ATTEMPTS = 3;
/** The terminal's size: fixed, so that a program that fits its output to it prints the same on every run. */
const COLS = 100;
const ROWS = 30;

type Ending = { exitCode: number; signal?: number };

/** The places a background command runs in: the lesson's environment, sandbox and folders. */
export interface BackgroundPlaces {
  env: NodeJS.ProcessEnv;
  prefix?: readonly string[];
  /** The run's own folder: the saved shell state and the captured outputs go there. */
  root: string;
  workdir: string;
}

/** One background command, from its start to its stop. */
class BackgroundProcess {
  private readonly started = performance.now();
  private lastOutput = 0;
  private printed = false;
  private ending?: Ending;
  private readonly exited: Promise<Ending>;
  private readonly unregister: () => void;
  /** The command was still running when the lesson stopped it (or the page killed it). */
  private stopped = false;

  constructor(
    readonly step: BackgroundCommand,
    private readonly child: IPty,
    private readonly log: WriteStream,
    private readonly logPath: string,
  ) {
    child.onData((data) => {
      this.printed = true;
      this.lastOutput = performance.now();
      log.write(data);
    });
    this.exited = new Promise((resolve) =>
      child.onExit((ending) => {
        this.ending = ending;
        resolve(ending);
      }),
    );
    // Ctrl-C on the runner while the command runs: nothing it started may outlive the run.
    this.unregister = onInterrupt(async () => this.kill());
  }

  get ended(): boolean {
    return this.ending !== undefined;
  }

  /** Whether the page stops it before the step at `line`. */
  dueBefore(line: number): boolean {
    const { stop } = this.step.background;
    return stop.by !== 'end' && stop.line < line;
  }

  /** Waits until the command ended, or its output paused after it printed (or, `fresh`, after now), or `maxMs` passed. */
  async quiet(maxMs: number, fresh: boolean): Promise<void> {
    const since = performance.now();
    if (fresh) this.lastOutput = since;
    while (!this.ended && performance.now() - since < maxMs) {
      if ((fresh || this.printed) && performance.now() - this.lastOutput >= SETTLE_MS) return;
      await sleep(POLL_MS);
    }
  }

  /** Stops the command as a reader would, Ctrl-C, then harder signals if it does not end; its result. */
  async finish(): Promise<StepResult> {
    if (!this.ended) await this.quiet(DRAIN_MS, true);
    if (!this.ended) {
      this.stopped = true;
      this.child.write('\x03');
      if ((await within(this.exited, GRACE_MS)) === 'elapsed') {
        signalSession(this.child.pid, 'SIGTERM');
        if ((await within(this.exited, GRACE_MS)) === 'elapsed') killSession(this.child.pid);
        await within(this.exited, GRACE_MS);
      }
    }
    // What the command started in its terminal (`cmd &` there) ends with it.
    this.kill();
    this.unregister();
    await new Promise<void>((resolve) => this.log.end(resolve));
    return { step: this.step, exitCode: this.exitCode(), output: this.output(), durationMs: performance.now() - this.started };
  }

  /** The sandbox could not be set up: the command never started. Only once it ended. */
  async sandboxFailed(): Promise<boolean> {
    await this.finish();
    return this.ending?.exitCode !== 0 && /^bwrap: /.test(this.output());
  }

  /** Kills the command and all it started at once: the run is being torn down. */
  kill(): void {
    if (this.child.pid !== undefined) killSession(this.child.pid);
  }

  /**
   * The step's status: 0 when the lesson stopped it, as a reader's Ctrl-C in a terminal is no failure,
   * or when the page's own `pkill` did; otherwise the status it ended with by itself (a server that
   * could not listen), none when a signal of ours killed it.
   */
  private exitCode(): number | null {
    const ending = this.ending;
    if (this.stopped) return 0;
    const signalled = !ending || Boolean(ending.signal) || ending.exitCode > 128;
    if (signalled && this.step.background.stop.by === 'kill') return 0;
    if (!ending || ending.signal) return null;
    return ending.exitCode;
  }

  /** What it printed; the terminal's CR LF line ends are the pty's, not the program's. */
  private output(): string {
    try {
      return readFileSync(this.logPath, 'utf8').replace(/\r+\n/g, '\n');
    } catch {
      return ''; // the run's folder is gone: a teardown on Ctrl-C came first
    }
  }
}

/** The lesson's background commands: started at their steps, stopped and judged where the page says. */
export class BackgroundSteps {
  /** In the order they started, which is the page's. */
  private readonly running: BackgroundProcess[] = [];

  constructor(
    private readonly shell: LessonShell,
    private readonly places: BackgroundPlaces,
    /** How long saving the shell's state may take: the lesson's step timeout. */
    private readonly timeoutMs: number,
  ) {}

  /** Starts `step` beside the lesson's shell, with its directory and variables; returns once it is ready for the page to go on. */
  async start(step: BackgroundCommand): Promise<void> {
    const folder = join(this.places.root, 'background');
    mkdirSync(folder, { recursive: true });
    const n = this.running.length + 1;
    const statePath = join(folder, `${n}.state.sh`);
    const logPath = join(folder, `${n}.log`);
    await saveShellState(this.shell, statePath, this.timeoutMs);
    // The pty addon is loaded only by lessons that run something in a terminal.
    const { spawn } = await import('./pty.js');
    // Job control (`set -m`) gives the command the terminal's foreground, as an interactive shell
    // would: Ctrl-C then reaches it, not the shell nor the sandbox around it. No echo: nothing is typed
    // there but the Ctrl-C, which a reader's terminal would show as `^C`.
    const script = `stty -echo 2>/dev/null; source ${quote(statePath)} 2>/dev/null; set -m\n${step.command}`;
    const [program, args] = sandboxed(this.places.prefix, 'bash', ['--noprofile', '--norc', '-c', script]);
    for (let attempt = 1; ; attempt++) {
      const log = createWriteStream(logPath);
      const child = spawn(program, args, {
        name: 'xterm',
        cols: COLS,
        rows: ROWS,
        cwd: this.places.workdir,
        env: { ...(this.places.env as Record<string, string>), TERM: 'xterm' },
      });
      const job = new BackgroundProcess(step, child, log, logPath);
      this.running.push(job);
      await job.quiet(READY_MS, false);
      // bubblewrap copies every mount of the host; one the engine mounts or unmounts meanwhile (a
      // container starting) makes it fail before anything of the step ran: it is started again.
      if (attempt < SANDBOX_ATTEMPTS && job.ended && (await job.sandboxFailed())) {
        this.running.splice(this.running.indexOf(job), 1);
        continue;
      }
      return;
    }
  }

  /**
   * The results, in page order, of the background commands the page stops before the step at `line`
   * (stopped now), and of those that ended by themselves meanwhile.
   */
  async collect(line: number): Promise<StepResult[]> {
    return this.finish((job) => job.ended || job.dueBefore(line));
  }

  /** Stops every background command still running: the lesson is over. */
  async stopAll(): Promise<StepResult[]> {
    return this.finish(() => true);
  }

  /** Kills every background command at once, and what it started: the run is being torn down. */
  kill(): void {
    for (const job of this.running) job.kill();
  }

  private async finish(chosen: (job: BackgroundProcess) => boolean): Promise<StepResult[]> {
    const due = this.running.filter(chosen);
    if (due.length === 0) return [];
    for (const job of due) this.running.splice(this.running.indexOf(job), 1);
    // Stopped side by side: each waits for its own output to settle.
    return Promise.all(due.map((job) => job.finish()));
  }
}

/** The steps before which the page stops a background command: the first step after each stop's line. */
export function stopBarriers(steps: readonly Step[]): Set<Step> {
  const barriers = new Set<Step>();
  for (const step of steps) {
    if (step.kind !== 'command' || !step.background || step.background.stop.by === 'end') continue;
    const { line } = step.background.stop;
    // A skipped step runs nothing: the barrier is the first step after the stop that runs.
    const next = steps.find((other) => other.line > line && other.kind !== 'skip');
    if (next) barriers.add(next);
  }
  return barriers;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

