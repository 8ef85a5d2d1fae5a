import type { BackgroundCommand } from '../plan/background.js';
import type { CommandStep, Lesson, Step, StepResult } from '../types.js';
import { BackgroundSteps, stopBarriers } from './background.js';
import { writeLessonFile } from './files.js';
import { continueInteractive, openInteractive, runInteractive } from './interactive.js';
import type { LessonShell, ShellRun } from './lesson-shell.js';
import type { TerminalSession } from './terminal.js';
import type { Workspace } from './workspace.js';

const queueDepth = 64;

/**
 * Sends each step to what runs it: a file to the lesson's working directory, a command to the lesson's
 * shell, an interactive step to a pseudo-terminal. Commands are written to the shell ahead of their
 * turn, so the shell never waits on the runner between steps.
 */
export class StepDispatch {
  /** Commands already written to the shell, in order. */
  private readonly ahead = new Map<CommandStep, Promise<ShellRun>>();
  /** Interactive steps whose session later blocks type into (`session-input` steps), by id. */
  private readonly continued: Set<string>;
  /** Those sessions while they are open, by the id of the step that opened them. */
  private readonly sessions = new Map<string, TerminalSession>();
  /** Commands running beside the lesson's shell, as in another terminal, until the page stops them. */
  readonly background: BackgroundSteps;
  /** Steps before which the page stops a background command: no command after one is written ahead of it. */
  private readonly barriers: Set<Step>;

  constructor(
    private readonly lesson: Lesson,
    private readonly shell: LessonShell,
    private readonly places: Workspace & { env: NodeJS.ProcessEnv; prefix?: readonly string[] },
    /** The user chose their own engine (`--engine host`): a step may name it. */
    private readonly hostEngine: boolean,
  ) {
    this.continued = new Set(lesson.steps.flatMap((step) => (step.kind === 'session-input' ? [step.session] : [])));
    this.background = new BackgroundSteps(shell, places, lesson.settings.timeoutMs);
    this.barriers = stopBarriers(lesson.steps);
  }

  /**
   * Writes the commands from `index` on (up to the next file or interactive step) to the shell now.
   * Refilled once half of the queue has run, so a step costs no rescan.
   */
  queueFrom(index: number): void {
    if (this.ahead.size > queueDepth / 2) return;
    const { steps } = this.lesson;
    this.shell.batch(() => {
      let queued = 0;
      for (let i = index; i < steps.length && queued < queueDepth; i++) {
        const step = steps[i] as Step;
        if (step.kind === 'skip') continue;
        if (step.kind !== 'command' || this.refusal(step) || step.background || (i > index && this.barriers.has(step))) return;
        queued++;
        if (!this.ahead.has(step)) this.ahead.set(step, this.shell.run(step.command, this.timeoutOf(step)));
      }
    });
  }

  /** Runs one step (not a skipped one); a step the runner could not run has an `error`. */
  async run(step: Exclude<Step, { kind: 'skip' }>): Promise<StepResult> {
    const timeoutMs = this.timeoutOf(step);
    const started = performance.now();
    try {
      const refused = this.refusal(step);
      if (refused) throw new Error(refused);
      switch (step.kind) {
        case 'file': {
          const cwd = await this.shell.run('pwd -P', timeoutMs);
          if (cwd.exitCode !== 0) throw new Error(`could not ask the lesson's shell where it is: ${cwd.output.trim()}`);
          writeLessonFile(this.places.workdir, cwd.output.trim(), step.path, step.content);
          return { step, exitCode: 0, output: '', durationMs: performance.now() - started };
        }
        case 'command': {
          const { endedShell, ...run } = await (this.ahead.get(step) ?? this.shell.run(step.command, timeoutMs));
          this.ahead.delete(step);
          return { step, ...run, ...(endedShell && this.after(step) && { error: `the lesson's shell exited (status ${run.exitCode ?? 'unknown'}): the steps after this one need it` }) };
        }
        case 'interactive': {
          if (!this.continued.has(step.id)) return { step, ...(await runInteractive(step, this.shell, this.places, timeoutMs)) };
          const { session, ...run } = await openInteractive(step, this.shell, this.places, timeoutMs);
          if (session) this.sessions.set(step.id, session);
          return { step, ...run };
        }
        case 'session-input': {
          const session = this.sessions.get(step.session);
          // Never typed anywhere else: a reader's terminal would be back on the host by now.
          if (!session) throw new Error(`the session this block types into is not open: the step ${step.session} that opened it ended or did not run`);
          const { open, ...run } = await continueInteractive(step, session, timeoutMs);
          if (!open) this.sessions.delete(step.session);
          return { step, ...run };
        }
      }
    } catch (error) {
      return { step, exitCode: null, output: '', durationMs: performance.now() - started, error: (error as Error).message };
    }
  }

  /** Starts a background step; a result only when it could not start (it is then judged at once). */
  async startBackground(step: BackgroundCommand): Promise<StepResult | undefined> {
    const started = performance.now();
    try {
      const refused = this.refusal(step);
      if (refused) throw new Error(refused);
      await this.background.start(step);
      return undefined;
    } catch (error) {
      return { step, exitCode: null, output: '', durationMs: performance.now() - started, error: (error as Error).message };
    }
  }

  /**
   * Whether a step that runs follows `step`: a command that ends the lesson's shell fails only then.
   * Found when a shell ends, so at most once a run.
   */
  private after(step: Step): boolean {
    return this.lesson.steps.slice(this.lesson.steps.indexOf(step) + 1).some((next) => next.kind !== 'skip');
  }

  /** Why the step may not run here: it would reach another engine than the lesson's. */
  private refusal(step: Step): string | undefined {
    if ((step.kind !== 'command' && step.kind !== 'interactive') || !step.otherEngine || this.hostEngine) return undefined;
    return `not run: this command ${step.otherEngine}, and a lesson talks only to its own engine, never to yours (\`--engine host\` on the command line runs it against the engine DOCKER_HOST names)`;
  }

  /** Ends the sessions the page left open: the lesson is over. */
  async closeSessions(): Promise<void> {
    const open = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(open.map((session) => session.close()));
  }

  private timeoutOf(step: Step): number {
    return step.timeoutMs ?? this.lesson.settings.timeoutMs;
  }
}
