import { checkRun, type CheckMode, type CheckOutcome } from '../check/index.js';
import { startJudging } from '../check/live.js';
import { ConsoleReporter } from '../report/console.js';
import { lessonStatus, type LessonReport, type Reporter } from '../report/reporter.js';
import { interruptedBy, onInterrupt } from '../run/cleanup.js';
import { runLesson, type RunOptions } from '../run/lesson.js';
import { lockSnapshot } from '../snapshot/lock.js';
import { readSnapshot, snapshotPath, writeSnapshot } from '../snapshot/store.js';
import type { Lesson } from '../types.js';

export interface RunCommandOptions {
  update: boolean;
  snapshots: string;
  engine: RunOptions['engine'];
  bail: boolean;
  ci: boolean;
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

function interruptedReport(lesson: Lesson, checked: CheckOutcome, phases: LessonReport['phases'], file: string, started: number): LessonReport {
  const outcome = { ...checked, write: undefined, environmentChanges: [] };
  const report = { lesson, status: lessonStatus(outcome), outcome, phases, snapshotFile: file, wrote: false, durationMs: performance.now() - started };
  return { ...report, interrupted: interruptedBy() };
}

async function checkAgainst(file: string, lesson: Lesson, options: RunCommandOptions, reporter: Reporter): Promise<LessonReport> {
  const started = performance.now();
  const phases: LessonReport['phases'] = [];
  const recorded = readSnapshot(file);
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
    // A run cut short writes nothing, but says what ran, what was interrupted and what did not run.
    onInterrupted: () => reporter.lessonEnd?.(interruptedReport(lesson, checkRun(lesson, judging.normalized, {}, recorded, mode, judging.pages), phases, file, started)),
  });

  const outcome = checkRun(lesson, judging.normalized, run.environment, recorded, mode, judging.pages);
  if (outcome.write) writeSnapshot(file, outcome.write);
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

