import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lesson, Step, StepResult } from '../types.js';
import { loadBaseImage } from './base-image.js';
import { onInterrupt } from './cleanup.js';
import { containerNames } from './containers.js';
import { hostEngine, startPrivateEngine, type Engine } from './engine.js';
import { writeLessonFile } from './files.js';
import { ShellSession } from './shell.js';
import { runInteractive } from './interactive.js';

export interface RunOptions {
  /** `private`: a fresh dockerd for this run; `host`: the engine the environment points at. */
  engine: 'private' | 'host';
  /** Stop at the first failing step; the rest is reported as not run. */
  bail?: (result: StepResult) => boolean;
  onStepStart?: (step: Step) => void;
  onStepEnd?: (result: StepResult, context: RunContext) => void;
  onPhase?: (phase: string, durationMs: number) => void;
}

/** What the normalizer needs to know about this run's volatile places and names. */
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
  let shell: ShellSession | undefined;
  const teardown = async () => {
    await shell?.close();
    await engine?.stop();
    rmSync(runRoot, { recursive: true, force: true });
  };
  const unregister = onInterrupt(teardown);
  try {
    const environment: Record<string, string> = {};
    if (lesson.settings.requires.includes('docker')) {
      engine = await timed('engine start', options, () => (options.engine === 'host' ? hostEngine() : startPrivateEngine()));
      context.engineRoot = engine.root;
      if (engine.kind === 'private') await timed('base image', options, () => loadBaseImage(engine!));
      Object.assign(environment, await engine.describe());
    }
    const env = { ...process.env, ...engine?.env, LESSON_WORKDIR: workdir };
    shell = ShellSession.start({ cwd: workdir, env });
    const names = new Set<string>();

    for (const step of lesson.steps) {
      if (step.kind === 'skip') continue;
      options.onStepStart?.(step);
      const result = await runStep(step, lesson, shell, { workdir, statePath, env });
      results.push(result);
      if (engine?.env.DOCKER_HOST && /\bdocker\b/.test(step.command ?? '')) {
        for (const name of await containerNames(engine.env.DOCKER_HOST)) names.add(name);
        context.containerNames = [...names];
      }
      options.onStepEnd?.(result, context);
      if (result.timedOut || result.error || options.bail?.(result)) break;
    }
    return { results, environment, context };
  } finally {
    await teardown();
    unregister();
  }
}

interface StepPlaces {
  workdir: string;
  statePath: string;
  env: NodeJS.ProcessEnv;
}

async function runStep(step: Step, lesson: Lesson, shell: ShellSession, places: StepPlaces): Promise<StepResult> {
  const timeoutMs = step.timeoutMs ?? lesson.settings.timeoutMs;
  const started = performance.now();
  try {
    switch (step.kind) {
      case 'file': {
        const cwd = (await shell.run('pwd -P', timeoutMs)).output.trim();
        writeLessonFile(places.workdir, cwd, step.path!, step.content ?? '');
        return { step, exitCode: 0, output: '', durationMs: performance.now() - started };
      }
      case 'command': {
        const run = await shell.run(step.command!, timeoutMs);
        return { step, ...run };
      }
      default: {
        const run = await runInteractive(step, shell, places.env, places.statePath, timeoutMs);
        return { step, ...run };
      }
    }
  } catch (error) {
    return { step, exitCode: null, output: '', durationMs: performance.now() - started, error: (error as Error).message };
  }
}

async function timed<T>(phase: string, options: RunOptions, work: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  const value = await work();
  options.onPhase?.(phase, performance.now() - started);
  return value;
}
