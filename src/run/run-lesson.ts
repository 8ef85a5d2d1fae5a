import type { Lesson, Step, StepResult } from '../types.js';
import { interrupted, onInterrupt } from './cleanup.js';
import type { Engine } from './engine.js';
import { leaseEngine, type EngineSource } from './engine-lease.js';
import { watchingEngine } from './engine-watch.js';
import { saveShellState } from './interactive.js';
import { killMarked } from './kill.js';
import { LessonShell } from './lesson-shell.js';
import { StepDispatch } from './step-dispatch.js';
import { makeWorkspace, removeWorkspace } from './workspace.js';

export type { EngineSource } from './engine-lease.js';

export interface RunOptions {
  engine: EngineSource;
  /** Asked after each step's onStepEnd: true stops the run there; the rest is reported as not run. */
  bail?: () => boolean;
  onStepStart?: (step: Step) => void;
  onStepEnd?: (result: StepResult, context: RunContext) => void;
  onPhase?: (phase: string, durationMs: number) => void;
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
  /** The page line of the last step that ran; undefined when none did. */
  lastStepLine?: number;
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
  const workspace = makeWorkspace(lesson.name);
  const context: RunContext = { workdir: workspace.workdir, containerNames: [] };
  const results: StepResult[] = [];
  let engine: Engine | undefined;
  let releaseEngine: (() => Promise<void>) | undefined;
  let shell: LessonShell | undefined;
  let dispatch: StepDispatch | undefined;
  const teardown = async () => {
    await dispatch?.closeSessions();
    await shell?.close();
    // What a step daemonized (`setsid -f`, a double fork) left the shell's session but kept its environment.
    killMarked(`LESSON_WORKDIR=${workspace.workdir}`);
    await releaseEngine?.();
    removeWorkspace(workspace);
  };
  const unregister = onInterrupt(teardown);
  try {
    let environment: Record<string, string> = {};
    if (lesson.settings.requires.includes('docker')) {
      const lease = await leaseEngine(options.engine, (name, work) => timed(name, options, work), (started, release) => {
        engine = started;
        releaseEngine = release;
      });
      context.engineRoot = lease.engine.root;
      environment = lease.environment;
    }
    const env = { ...process.env, ...engine?.env, LESSON_WORKDIR: workspace.workdir };
    shell = LessonShell.start({ cwd: workspace.workdir, env });
    dispatch = new StepDispatch(lesson, shell, { ...workspace, env });

    for (const [index, step] of lesson.steps.entries()) {
      // The teardown is killing what the last step started: nothing new may start behind its back.
      if (interrupted()) break;
      if (step.kind === 'skip') continue;
      options.onStepStart?.(step);
      // With --bail a failure must stop what follows before it starts; otherwise every step runs anyway.
      if (!options.bail) dispatch.queueFrom(index);
      const result = await watchingEngine(engine, shell, dispatch.run(step));
      results.push(result);
      if (engine && (step.kind === 'command' || step.kind === 'interactive')) await collectNames(engine, step.command, context);
      options.onStepEnd?.(result, context);
      if (result.timedOut || result.error || options.bail?.()) break;
    }
    if (options.handOver && !interrupted()) {
      const stateFile = await saveShellState(shell, workspace.statePath, lesson.settings.timeoutMs).then(() => workspace.statePath, () => undefined);
      await options.handOver({ env, context, stateFile, lastStepLine: results.at(-1)?.step.line });
    }
    return { results, environment, context };
  } finally {
    await teardown();
    unregister();
    // On Ctrl-C the process exits once every cleanup is done; what follows a run (checking it, writing
    // its snapshot) must not happen for a run that was cut short.
    if (interrupted()) await new Promise<never>(() => undefined);
  }
}

/** The names the engine made up for containers so far: the normalizer turns them into placeholders. */
async function collectNames(engine: Engine, command: string, context: RunContext): Promise<void> {
  if (!engine.env.DOCKER_HOST || !/\bdocker\b/.test(command)) return;
  const { generatedContainerNames } = await import('./containers.js');
  for (const name of await generatedContainerNames(engine.env.DOCKER_HOST)) {
    if (!context.containerNames.includes(name)) context.containerNames.push(name);
  }
}

async function timed<T>(phase: string, options: RunOptions, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const value = await work();
  options.onPhase?.(phase, performance.now() - started);
  return value;
}
