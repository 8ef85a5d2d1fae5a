import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Lesson, Step, StepResult } from '../types.js';
import { interrupted } from './cleanup.js';
import type { Engine } from './engine.js';
import { writeLessonFile } from './files.js';
import { killMarked } from './processes.js';
import { ShellSession, type ShellRun } from './shell.js';
import { runInteractive, saveShellState } from './interactive.js';
import { stepEnv } from './step-env.js';
import { markInterrupted, onRunInterrupt } from './interrupted-run.js';

export interface RunOptions {
  /**
   * `private`: a fresh dockerd for this run; `host`: the engine the environment points at; or a private
   * engine started ahead of time with its base image (see ready-engine.ts), which the caller still owns and stops.
   */
  engine: 'private' | 'host' | Promise<Engine>;
  /** Asked after each step's onStepEnd: true stops the run there; the rest is reported as not run. */
  bail?: () => boolean;
  onStepStart?: (step: Step) => void;
  onStepEnd?: (result: StepResult, context: RunContext) => void;
  onPhase?: (phase: string, durationMs: number) => void;
  /** Called once an interrupted run is torn down, with the results so far; the exit waits for it. */
  onInterrupted?: (results: StepResult[]) => void;
  /** Called after the last step, before anything is torn down: e.g. to let a person go on by hand. */
  handOver?: (live: LiveRun) => Promise<void>;
}

/** A run paused after its steps, its engine and working directory still there. */
export interface LiveRun {
  /** The lesson's environment: DOCKER_HOST of its engine... */
  env: NodeJS.ProcessEnv;
  context: RunContext;
  /** A bash script restoring the lesson shell's variables, functions and directory; undefined when that shell is gone (a step timed out). */
  stateFile?: string;
}

/** What the normalizer needs to know about this run's volatile places and names; the list of names grows as steps run. */
export interface RunContext {
  workdir: string;
  engineRoot?: string;
  containerNames: string[];
}

export interface LessonRun {
  results: StepResult[];
  environment: Record<string, string>;
  context: RunContext;
}

/** Runs a lesson's steps in order, for real, then tears everything down, even on failure or Ctrl-C. */
export async function runLesson(lesson: Lesson, options: RunOptions): Promise<LessonRun> {
  // The working directory is a folder of its own inside the run's folder, so the runner's own
  // files (the shell's saved state) never show up in a lesson's `ls`.
  const runRoot = realpathSync(mkdtempSync(join(tmpdir(), `lesson-${lesson.name}-`)));
  const workdir = join(runRoot, 'work');
  mkdirSync(workdir);
  const statePath = join(runRoot, 'shell-state.sh');
  const context: RunContext = { workdir, containerNames: [] };
  const results: StepResult[] = [];
  let engine: Engine | undefined;
  /** A ready engine passed in: its owner stops it, not this run. */
  let borrowed = false;
  let shell: ShellSession | undefined;
  const teardown = async () => {
    await shell?.close();
    // What a step daemonized (`setsid -f`, a double fork) left the shell's session but kept its environment.
    killMarked(`LESSON_WORKDIR=${workdir}`);
    if (!borrowed) await engine?.stop();
    rmSync(runRoot, { recursive: true, force: true });
  };
  const { unregister, reported } = onRunInterrupt(teardown);
  try {
    const environment: Record<string, string> = {};
    let described: Promise<Record<string, string>> | undefined;
    if (lesson.settings.requires.includes('docker')) {
      const choice = options.engine;
      if (typeof choice === 'string') {
        // Loaded only by lessons that need Docker: a plain shell lesson starts without them.
        const [{ hostEngine, startPrivateEngine }, { loadBaseImage }] = await Promise.all([import('./engine.js'), import('./base-image.js')]);
        engine = await timed('engine start', options, () => (choice === 'host' ? hostEngine() : startPrivateEngine()));
        described = engine.describe();
        if (engine.kind === 'private') await timed('base image', options, () => loadBaseImage(engine!));
      } else {
        engine = await timed('engine ready', options, () => choice);
        borrowed = true;
      }
      context.engineRoot = engine.root;
      // Asked while the base image loads: both wait on the engine, neither on the other.
      Object.assign(environment, await (described ?? engine.describe()));
    }
    const env = stepEnv(process.env, engine?.env, workdir, lesson.settings.locale);
    shell = ShellSession.start({ cwd: workdir, env });
    const ahead = new Map<Step, Promise<ShellRun>>();

    for (const [index, step] of lesson.steps.entries()) {
      // The teardown is killing what the last step started: nothing new may start behind its back.
      if (interrupted()) break;
      if (step.kind === 'skip') continue;
      options.onStepStart?.(step);
      // With --bail a failure must stop what follows before it starts; otherwise every step runs anyway.
      if (!options.bail) queueAhead(lesson, index, shell, ahead);
      const result = markInterrupted(shellGone(shell, await watchingEngine(engine, shell, runStep(step, lesson, shell, { workdir, statePath, env, ahead }))));
      results.push(result);
      if (engine?.env.DOCKER_HOST && /\bdocker\b/.test(step.command ?? '')) {
        const { generatedContainerNames } = await import('./containers.js');
        for (const name of await generatedContainerNames(engine.env.DOCKER_HOST)) {
          if (!context.containerNames.includes(name)) context.containerNames.push(name);
        }
      }
      options.onStepEnd?.(result, context);
      if (result.timedOut || result.error || options.bail?.()) break;
    }
    if (options.handOver && !interrupted()) {
      const stateFile = await saveShellState(shell, statePath, lesson.settings.timeoutMs).then(() => statePath, () => undefined);
      await options.handOver({ env, context, stateFile });
    }
    return { results, environment, context };
  } finally {
    await teardown();
    unregister();
    // On Ctrl-C the process exits once every cleanup is done; what follows a run (checking it, writing
    // its snapshot) must not happen for a run that was cut short.
    if (interrupted()) {
      options.onInterrupted?.(results);
      reported();
      await new Promise<never>(() => undefined);
    }
  }
}

interface StepPlaces {
  workdir: string;
  statePath: string;
  env: NodeJS.ProcessEnv;
  /** Commands already written to the shell, in order. */
  ahead: Map<Step, Promise<ShellRun>>;
}

const queueDepth = 64;

/**
 * Writes the commands that follow `index` (up to the next file or interactive step) to the shell now.
 * Refilled once half of the queue has run, so the shell never waits and a step costs no rescan.
 */
function queueAhead(lesson: Lesson, index: number, shell: ShellSession, ahead: Map<Step, Promise<ShellRun>>): void {
  if (ahead.size > queueDepth / 2) return;
  shell.batch(() => {
    let queued = 0;
    for (let i = index; i < lesson.steps.length && queued < queueDepth; i++) {
      const step = lesson.steps[i]!;
      if (step.kind === 'skip') continue;
      if (step.kind !== 'command') return;
      queued++;
      if (!ahead.has(step)) ahead.set(step, shell.run(step.command!, step.timeoutMs ?? lesson.settings.timeoutMs));
    }
  });
}

async function runStep(step: Step, lesson: Lesson, shell: ShellSession, places: StepPlaces): Promise<StepResult> {
  const timeoutMs = step.timeoutMs ?? lesson.settings.timeoutMs;
  const started = performance.now();
  try {
    switch (step.kind) {
      case 'file': {
        const cwd = await shell.run('pwd -P', timeoutMs);
        if (cwd.exitCode !== 0) throw new Error(`could not ask the lesson's shell where it is: ${cwd.output.trim()}`);
        writeLessonFile(places.workdir, cwd.output.trim(), step.path!, step.content ?? '');
        return { step, exitCode: 0, output: '', durationMs: performance.now() - started };
      }
      case 'command': {
        const run = await (places.ahead.get(step) ?? shell.run(step.command!, timeoutMs));
        places.ahead.delete(step);
        return { step, ...run };
      }
      default: {
        const run = await runInteractive(step, shell, places, timeoutMs);
        return { step, ...run };
      }
    }
  } catch (error) {
    return { step, exitCode: null, output: '', durationMs: performance.now() - started, error: (error as Error).message };
  }
}

/**
 * The step as it ran, unless the engine went down meanwhile: then the step is stopped, since it may
 * wait on the dead engine until its timeout, and it fails saying so; the rest of the lesson is not run.
 */
async function watchingEngine(engine: Engine | undefined, shell: ShellSession, running: Promise<StepResult>): Promise<StepResult> {
  if (!engine) return running;
  const first = await Promise.race([running, engine.lost]);
  let reason: string | undefined;
  if (typeof first === 'string') {
    reason = first;
    await shell.close();
  } else if (!interrupted() && !(await engine.isUp())) {
    // (On Ctrl-C the engine is going down on purpose: that is no news to wait for.)
    // The step saw the engine die (a refused connection) before we heard of it: `lost` is on its way.
    reason = await Promise.race([engine.lost, sleep(LOST_NOTICE_MS).then(() => 'dockerd is no longer running')]);
  }
  const result = await running;
  return reason ? { ...result, timedOut: false, error: `the Docker engine stopped during this step: ${reason}` } : result;
}

/** How long a dead dockerd's launcher may take to report its exit. */
const LOST_NOTICE_MS = 1000;

/** A step that ran `exit` closed the lesson's terminal: the steps after it cannot run in it. */
function shellGone(shell: ShellSession, result: StepResult): StepResult {
  if (shell.running || result.error || result.timedOut) return result;
  return { ...result, error: `the lesson's shell exited (status ${result.exitCode ?? 'unknown'}): the steps after this one need it` };
}

async function timed<T>(phase: string, options: RunOptions, work: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  const value = await work();
  options.onPhase?.(phase, performance.now() - started);
  return value;
}
