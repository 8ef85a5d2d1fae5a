import pc from 'picocolors';
import { verifyLesson } from '../pipeline/verify-lesson.js';
import { ConsoleReporter } from '../report/console.js';
import type { Reporter } from '../report/reporter.js';
import type { LiveRun } from '../run/run-lesson.js';
import { openPersonShell } from '../run/person-shell.js';
import type { Lesson } from '../types.js';
import type { SharedFlags } from './options.js';

export interface HandOverOptions extends SharedFlags {
  /** Run the steps that start at or before this line; all of them when undefined. */
  until?: number;
  bail: boolean;
}

/**
 * Runs the lesson's steps up to `until`, each judged as `lesson run` judges it (but nothing is ever
 * written), then gives the terminal to a person in the lesson's shell state, directory and engine.
 * Everything is torn down when they leave. Resolves with their shell's exit status.
 */
export async function handOverAt(lesson: Lesson, options: HandOverOptions, reporter: Reporter = new ConsoleReporter()): Promise<number> {
  const until = options.until ?? Infinity;
  const steps = lesson.steps.filter((step) => step.line <= until);
  let status = 0;
  await verifyLesson(
    { ...lesson, steps },
    {
      snapshots: options.snapshots,
      engine: options.engine,
      sandbox: options.sandbox,
      network: options.network,
      registryUpstream: options.registryUpstream,
      bail: options.bail,
      update: false,
      ci: false,
      write: false,
      handOver: async (live) => {
        // After --until, or after the failure --bail stopped at.
        const ran = live.lastStepLine ?? 0;
        const next = lesson.steps.find((step) => step.line > ran && step.kind !== 'skip');
        process.stdout.write(introduction(lesson, live, next?.line));
        status = await openPersonShell({
          env: live.env,
          cwd: live.context.workdir,
          stateFile: live.stateFile,
          prompt: `(${lesson.name}${options.until ? `:${options.until}` : ''}) \\w \\$ `,
          prefix: live.prefix,
          folder: live.folder,
        });
      },
    },
    // The person's shell ends this command: no closing summary of the steps after it.
    stepsOnly(reporter),
  );
  process.stdout.write(pc.dim('shell closed: the engine and the working directory are gone\n'));
  return status;
}

function stepsOnly(reporter: Reporter): Reporter {
  return {
    lessonStart: (lesson) => reporter.lessonStart?.(lesson),
    phase: (lesson, name, ms) => reporter.phase?.(lesson, name, ms),
    note: (lesson, text) => reporter.note?.(lesson, text),
    stepStart: (lesson, step) => reporter.stepStart?.(lesson, step),
    verdict: (lesson, verdict) => reporter.verdict?.(lesson, verdict),
  };
}

function introduction(lesson: Lesson, live: LiveRun, nextLine: number | undefined): string {
  const lines = [
    nextLine ? `next on the page: ${lesson.path}:${nextLine}` : `every step of ${lesson.path} has run`,
    live.env.DOCKER_HOST ? `the lesson's engine: DOCKER_HOST=${live.env.DOCKER_HOST}` : undefined,
    live.stateFile ? undefined : pc.yellow("the lesson's shell was lost (a step timed out): its variables and directory are not restored"),
    'exit or Ctrl-D ends the shell and removes the engine and the working directory',
  ];
  return pc.dim(lines.filter(Boolean).map((line) => `  ${line}\n`).join(''));
}
