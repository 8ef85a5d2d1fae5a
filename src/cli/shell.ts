import pc from 'picocolors';
import { startJudging } from '../check/live.js';
import { ConsoleReporter } from '../report/console.js';
import type { Reporter } from '../report/reporter.js';
import { runLesson, type LiveRun } from '../run/lesson.js';
import { openPersonShell } from '../run/person-shell.js';
import { readSnapshot, snapshotPath } from '../snapshot/store.js';
import type { Lesson } from '../types.js';
import type { ShellFlags } from './shell-command.js';

/**
 * Runs the lesson's steps up to `until`, each checked against the snapshot as `lesson run` would (but
 * nothing is ever written), then gives the terminal to a person in the lesson's shell state, directory
 * and engine. Everything is torn down when they leave. Resolves with their shell's exit status.
 */
export async function shellAt(lesson: Lesson, flags: ShellFlags, reporter: Reporter = new ConsoleReporter()): Promise<number> {
  const until = flags.until ?? Infinity;
  const steps = lesson.steps.filter((step) => step.line <= until);
  const recorded = readSnapshot(snapshotPath(lesson.name, flags.snapshots));
  // Judged as `lesson run` judges, but nothing is ever written.
  const judging = startJudging(lesson, recorded?.steps, { update: false, ci: false });
  let failed = false;
  let status = 0;
  let lastRun = 0;

  reporter.lessonStart?.(lesson);
  await runLesson({ ...lesson, steps }, {
    engine: flags.engine,
    onPhase: (phase, ms) => reporter.phase?.(lesson, phase, ms),
    onStepStart: (step) => reporter.stepStart?.(lesson, step),
    onStepEnd: (result, context) => {
      lastRun = result.step.line;
      const verdict = judging.judge(result, context);
      failed = verdict.status === 'failed';
      reporter.verdict?.(lesson, verdict);
    },
    bail: flags.bail ? () => failed : undefined,
    handOver: async (live) => {
      // After --until, or after the failure --bail stopped at.
      const next = lesson.steps.find((step) => step.line > lastRun && step.kind !== 'skip');
      process.stdout.write(introduction(lesson, live, next?.line));
      status = await openPersonShell({
        env: live.env,
        cwd: live.context.workdir,
        stateFile: live.stateFile,
        prompt: `(${lesson.name}${flags.until ? `:${flags.until}` : ''}) \\w \\$ `,
      });
    },
  });
  process.stdout.write(pc.dim('shell closed: the engine and the working directory are gone\n'));
  return status;
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
