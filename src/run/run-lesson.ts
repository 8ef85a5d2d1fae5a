import type { Lesson, NetworkChoice, Step, StepResult } from '../types.js';
import { runsInBackground } from '../plan/background.js';
import { InputError } from '../errors.js';
import { lessonNetwork } from '../plan/network.js';
import { interrupted } from './cleanup.js';
import { collectProjects, lessonCompose } from './compose.js';
import type { Engine } from './engine.js';
import { leaseEngine, type EngineSource } from './engine-lease.js';
import { watchingEngine } from './engine-watch.js';
import { findProgram } from './find-program.js';
import type { EngineImageOptions } from './engine-images.js';
import { imageFacts } from './image-facts.js';
import { explainImageFaults, explainUnreachableImage } from './image-errors.js';
import { saveShellState } from './interactive.js';
import { markInterrupted, onRunInterrupt } from './interrupted-run.js';
import { killMarked } from './kill.js';
import { lessonEnv } from './lesson-env.js';
import { LessonShell } from './lesson-shell.js';
import { StepDispatch } from './step-dispatch.js';
import { makeSandbox } from './sandbox.js';
import { makeWorkspace } from './workspace.js';
import { currentIdentity, removeAnyOwner, runsRootless, type Identity } from './rootless.js';

export type { EngineSource } from './engine-lease.js';

export interface RunOptions {
  engine: EngineSource;
  /** Run the steps in the sandbox (sandbox.ts); only the command line turns it off. */
  sandbox: boolean;
  /** `--network`, over the page's `network:` (engine-lease.ts). */
  network?: NetworkChoice;
  /** Asked after each step's onStepEnd: true stops the run there; the rest is reported as not run. */
  bail?: () => boolean;
  onStepStart?: (step: Step) => void;
  /** A step started in the background, as in another terminal: its onStepEnd comes when the lesson stops it. */
  onBackground?: (step: Step) => void;
  onStepEnd?: (result: StepResult, context: RunContext) => void;
  onPhase?: (phase: string, durationMs: number) => void;
  /** Called once an interrupted run is torn down, with the results so far; the exit waits for it. */
  onInterrupted?: (results: StepResult[]) => void;
  /** Something the reader should know before the steps: what the user's engine already holds... */
  onNote?: (text: string) => void;
  /** Called after the last step, before anything is torn down: e.g. to let a person go on by hand. */
  handOver?: (live: LiveRun) => Promise<void>;
  /** The image upstream and the digests the snapshot pins (engine-images.ts). */
  images?: Pick<EngineImageOptions, 'upstream' | 'pins'>;
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
  /** What runs a shell in the lesson's sandbox; none without one. */
  prefix?: readonly string[];
  /** The run's own folder, which the sandbox shows. */
  folder: string;
}

/** What the normalizer needs to know about this run's volatile places and names; the list of names grows as steps run. */
export interface RunContext {
  workdir: string;
  engineRoot?: string;
  /** The lesson runs on the user's own engine. */
  hostEngine?: boolean;
  containerNames: string[];
  /** Docker Compose projects the engine knows, for the same reason. */
  projects: string[];
  /** Who runs the lesson, when not root (rootless): their ids read as root's. */
  identity?: Identity;
}

export interface LessonRun {
  results: StepResult[];
  environment: Record<string, string>;
  context: RunContext;
}

/** Runs a lesson's steps in order, for real, then tears everything down, even on failure or Ctrl-C. */
export async function runLesson(lesson: Lesson, options: RunOptions): Promise<LessonRun> {
  const workspace = makeWorkspace(lesson.name);
  const context: RunContext = { workdir: workspace.workdir, containerNames: [], projects: [] };
  const results: StepResult[] = [];
  let engine: Engine | undefined;
  let releaseEngine: (() => Promise<void>) | undefined;
  let shell: LessonShell | undefined;
  let dispatch: StepDispatch | undefined;
  const teardown = async () => {
    dispatch?.background.kill();
    await dispatch?.closeSessions();
    await shell?.close();
    // What a step daemonized (`setsid -f`, a double fork) left the shell's session but kept its environment.
    killMarked(`LESSON_WORKDIR=${workspace.workdir}`);
    await releaseEngine?.();
    // Rootless, containers write into the run's folder as subordinate ids, which plain removal cannot undo.
    await removeAnyOwner(workspace.root, `${process.env.PATH ?? ''}:/usr/sbin:/sbin`);
  };
  const { unregister, reported } = onRunInterrupt(teardown);
  try {
    if (runsRootless()) context.identity = await currentIdentity();
    let environment: Record<string, string> = {};
    if (lesson.requires.includes('docker')) {
      const commands = lesson.steps.flatMap((step) => (step.kind === 'command' || step.kind === 'interactive' ? [step.command] : []));
      const note = (text: string) => options.onNote?.(text);
      const lease = await leaseEngine(options.engine, (name, work) => timed(name, options, work), (started, release) => {
        engine = started;
        releaseEngine = release;
      }, { lesson, commands, note, network: options.network, images: options.images });
      context.engineRoot = lease.engine.root;
      context.hostEngine = lease.engine.kind === 'host';
      environment = lease.environment;
    }
    const compose = await lessonCompose(lesson, engine, lessonEnv(workspace, engine, lesson.settings.locale), environment, workspace.root);
    environment = { ...environment, ...compose.environment };
    const sandbox = options.sandbox ? makeSandbox(workspace, engine, await sandboxProgram()) : undefined;
    if (!sandbox) options.onNote?.('no sandbox (--no-sandbox): the steps can write wherever you can, and read your home');
    const env = { ...lessonEnv(workspace, engine, lesson.settings.locale), ...compose.env, ...sandbox?.env };
    const prefix = sandbox?.prefix;
    shell = LessonShell.start({ cwd: workspace.workdir, env, prefix });
    dispatch = new StepDispatch(lesson, shell, { ...workspace, env, prefix }, options.engine === 'host');
    // An engine with a way out reports registries it could not reach in dockerd's own words, which are then true.
    const unreachableKind = lessonNetwork(lesson, options.network) === 'outbound' ? undefined : engine?.kind;

    const ended = async (result: StepResult) => {
      results.push(result);
      const { step } = result;
      if (engine && (step.kind === 'command' || step.kind === 'interactive')) {
        await collectNames(engine, step.command, context);
        await collectProjects(engine.env.DOCKER_HOST, step.command, context.projects);
      }
      options.onStepEnd?.(result, context);
    };
    const background = dispatch.background;
    steps: for (const [index, step] of lesson.steps.entries()) {
      // The teardown is killing what the last step started: nothing new may start behind its back.
      if (interrupted()) break;
      // What the page stops before this step, and what ended by itself, is judged before it runs.
      for (const result of await background.collect(step.line)) {
        await ended(markInterrupted(explainUnreachableImage(result, unreachableKind)));
        if (options.bail?.()) break steps;
      }
      if (step.kind === 'skip') continue;
      if (runsInBackground(step)) {
        const refused = await dispatch.startBackground(step);
        if (!refused) {
          options.onBackground?.(step);
          continue;
        }
        await ended(markInterrupted(refused));
        break;
      }
      options.onStepStart?.(step);
      // With --bail a failure must stop what follows before it starts; otherwise every step runs anyway.
      if (!options.bail) dispatch.queueFrom(index);
      const outcome = await watchingEngine(engine, shell, dispatch.run(step));
      const faults = (await engine?.images?.takeFaults()) ?? [];
      const result = markInterrupted(explainUnreachableImage(explainImageFaults(outcome, faults), unreachableKind));
      await ended(result);
      // What went wrong on the way to a step's images that passed anyway (a corrupted copy fetched again, a full disk).
      if (result.exitCode === 0) for (const fault of faults) options.onNote?.(fault);
      if (result.timedOut || result.error || options.bail?.()) break;
    }
    // What still runs in the background stops with the lesson (or its failure), and is judged then.
    for (const result of await background.stopAll()) await ended(markInterrupted(explainUnreachableImage(result, unreachableKind)));
    if (options.handOver && !interrupted()) {
      const stateFile = await saveShellState(shell, workspace.statePath, lesson.settings.timeoutMs).then(() => workspace.statePath, () => undefined);
      const lastStepLine = results.length > 0 ? Math.max(...results.map((result) => result.step.line)) : undefined;
      await options.handOver({ env, context, stateFile, lastStepLine, prefix, folder: workspace.root });
    }
    return { results, environment: { ...environment, ...imageFacts(lesson, engine) }, context };
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

/** bubblewrap, which the sandbox needs: setup.sh installs it. */
async function sandboxProgram(): Promise<string> {
  const found = await findProgram('bwrap', `${process.env.PATH ?? ''}:/usr/bin:/bin`);
  if (!found) throw new InputError('the steps run in a sandbox, which needs bubblewrap (bwrap): install it with `bash scripts/setup.sh` (Debian\'s bubblewrap), or run with --no-sandbox');
  return found;
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
