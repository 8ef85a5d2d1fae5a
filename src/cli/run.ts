import { checkRun, type CheckMode } from '../check/index.js';
import { startJudging } from '../check/live.js';
import { NORMALIZERS, normalizerNote } from '../normalize/version.js';
import { ConsoleReporter } from '../report/console.js';
import { lessonStatus, type LessonReport, type Reporter } from '../report/reporter.js';
import { onInterrupt } from '../run/cleanup.js';
import { runLesson, type RunOptions } from '../run/lesson.js';
import { lockSnapshot } from '../snapshot/lock.js';
import { openSnapshot, saveSnapshot } from '../run/snapshot-variant.js';
import { snapshotPath } from '../snapshot/store.js';
import type { Lesson } from '../types.js';

export interface RunCommandOptions {
  update: boolean;
  snapshots: string;
  engine: RunOptions['engine'];
  bail: boolean;
  ci: boolean;
  /** The builder `--builder` asked for; `auto`: checked with the one the fitting variant needs, when this machine has it. */
  builder?: 'legacy' | 'buildkit' | 'auto';
}

/** Runs one lesson, checks each step against its snapshot as it ends, and returns the exit code. */
export async function runAndCheck(lesson: Lesson, options: RunCommandOptions, reporter: Reporter = new ConsoleReporter()): Promise<number> {
  return (await checkLesson(lesson, options, reporter)).status === 'failed' ? 1 : 0;
}

/**
 * Runs one lesson and checks each step as it ends, writing the snapshot when due. Throws, before or
 * while running, on a broken snapshot file or when no engine can be started.
 */
export async function checkLesson(lesson: Lesson, options: RunCommandOptions, reporter: Reporter): Promise<LessonReport> {
  const file = snapshotPath(lesson.name, options.snapshots);
  // Held for the whole command, so that a Ctrl-C while the snapshot is written (synchronously) waits for
  // the write to end and releases the lock, instead of killing the process outright in the middle.
  const unregister = onInterrupt(async () => unlock?.());
  let unlock: (() => void) | undefined;
  try {
    // A recording run holds the snapshot's lock from the start: a second one is refused at once, not
    // after running, and nobody rewrites the snapshot between this run's reading and writing it.
    if (options.update && !options.ci) unlock = lockSnapshot(file);
    return await checkAgainst(file, lesson, options, reporter);
  } finally {
    unregister();
    unlock?.();
  }
}

async function checkAgainst(file: string, lesson: Lesson, options: RunCommandOptions, reporter: Reporter): Promise<LessonReport> {
  const started = performance.now();
  const phases: LessonReport['phases'] = [];
  const opened = await openSnapshot(file, lesson, { engine: typeof options.engine === 'string' ? options.engine : 'private', update: options.update, switchBuilder: options.builder === 'auto' });
  const recorded = opened.recorded;
  const mode: CheckMode = { update: options.update, ci: options.ci };
  const judging = startJudging(lesson, recorded?.steps, mode);
  let failed = false;

  reporter.lessonStart?.(lesson);
  const run = await runLesson(lesson, {
    engine: options.engine,
    onPhase: (phase, ms) => {
      phases.push({ name: phase, durationMs: ms });
      reporter.phase?.(lesson, phase, ms);
    },
    onStepStart: (step) => reporter.stepStart?.(lesson, step),
    onStepEnd: (result, context) => {
      const verdict = judging.judge(result, context);
      failed = verdict.status === 'failed';
      reporter.verdict?.(lesson, verdict);
    },
    // Stops where the report says a step failed: a recorded non-zero exit passes, a changed output fails.
    bail: options.bail ? () => failed : undefined,
  });

  const outcome = checkRun(lesson, judging.normalized, run.environment, recorded, mode, judging.pages);
  const drifts = outcome.verdicts.flatMap((verdict) => (verdict.status === 'failed' && verdict.expected !== undefined && verdict.actual !== undefined ? [{ expected: verdict.expected, actual: verdict.actual }] : []));
  const note = recorded && normalizerNote(recorded.normalizers, drifts, lesson.settings.normalize);
  if (note) outcome.notes = [note];
  // -u stamps today's normalizers on a variant older ones wrote, even when no entry changed.
  if (options.update && !options.ci && recorded && (recorded.normalizers ?? 1) < NORMALIZERS) outcome.write ??= recorded;
  if (outcome.write) saveSnapshot(file, opened, outcome.write);
  const report: LessonReport = {
    lesson,
    status: lessonStatus(outcome),
    outcome,
    phases,
    snapshotFile: file,
    wrote: outcome.write !== undefined,
    durationMs: performance.now() - started,
  };
  reporter.lessonEnd?.(report);
  return report;
}

