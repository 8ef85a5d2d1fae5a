// `lesson check` cut short by Ctrl-C or SIGTERM: once every lesson that started has said how far it got,
// the run ends as a finished one does (the closing line, the JSON, JUnit, GitHub and HTML reports), with
// the lessons that never started reported as not run, and every report saying the run was interrupted.

import type { LessonReport, Reporter, RunReport } from '../report/reporter.js';
import { interruptedBy, onInterrupt } from '../run/cleanup.js';
import { snapshotPath } from '../snapshot/store.js';
import type { Lesson } from '../types.js';

/** `reporter`, watched so that an interrupt ends the run's report; `unregister` once the run ended by itself. */
export function reportingInterrupts(lessons: Lesson[], snapshots: string, reporter: Reporter): { reporter: Reporter; unregister: () => void } {
  const began = performance.now();
  const started = new Set<Lesson>();
  const ended = new Map<Lesson, LessonReport>();
  const watched: Reporter = {
    ...bound(reporter),
    lessonStart(lesson) {
      started.add(lesson);
      reporter.lessonStart?.(lesson);
    },
    lessonEnd(report) {
      ended.set(report.lesson, report);
      reporter.lessonEnd?.(report);
    },
  };
  const unregister = onInterrupt(async () => {
    // Each running lesson reports once its teardown is done; the cleanup registry's budget bounds the wait.
    while ([...started].some((lesson) => !ended.has(lesson))) await new Promise((wait) => setTimeout(wait, 10));
    const run: RunReport = {
      lessons: lessons.map((lesson) => ended.get(lesson) ?? notStarted(lesson, snapshots)),
      durationMs: performance.now() - began,
      interrupted: interruptedBy(),
    };
    await reporter.runEnd?.(run);
  });
  return { reporter: watched, unregister };
}

function notStarted(lesson: Lesson, snapshots: string): LessonReport {
  const verdicts = lesson.steps.map((step) => (step.kind === 'skip' ? { step, status: 'skipped' as const, message: step.reason } : { step, status: 'not-run' as const }));
  return {
    lesson,
    status: 'failed',
    reason: `not started: the run was interrupted by ${interruptedBy() ?? 'a signal'}`,
    outcome: { verdicts, obsolete: [], environmentChanges: [] },
    phases: [],
    snapshotFile: snapshotPath(lesson.name, snapshots),
    wrote: false,
    durationMs: 0,
  };
}

/** The reporter's own methods, callable apart from it. */
function bound(reporter: Reporter): Reporter {
  return {
    runStart: reporter.runStart?.bind(reporter),
    phase: reporter.phase?.bind(reporter),
    stepStart: reporter.stepStart?.bind(reporter),
    verdict: reporter.verdict?.bind(reporter),
    runEnd: reporter.runEnd?.bind(reporter),
  };
}
