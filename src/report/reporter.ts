import type { Outcome, StepVerdict } from '../judge/verdict.js';
import type { Lesson, Step } from '../types.js';

export type LessonStatus = 'passed' | 'failed' | 'skipped';

/** One lesson's result, as every reporter sees it when the lesson ends. */
export interface LessonReport {
  lesson: Lesson;
  status: LessonStatus;
  /** skipped: the missing requirement; failed outside any step (unreadable page, engine died): what went wrong. */
  reason?: string;
  /** The page line `reason` is about, when it is about one (a bad front-matter key). */
  line?: number;
  /** One verdict per planned step; for a skipped lesson every step is skipped with `reason`. */
  outcome: Outcome;
  phases: { name: string; durationMs: number }[];
  snapshotFile: string;
  /** The snapshot file was written by this run. */
  wrote: boolean;
  /** The signal (SIGINT, SIGTERM) that cut the run short: the report covers what ran until then. */
  interrupted?: string;
  durationMs: number;
}

/** A whole `check`: the lessons in the order they were selected. */
export interface RunReport {
  lessons: LessonReport[];
  durationMs: number;
  /** The signal (SIGINT, SIGTERM) that cut the run short. */
  interrupted?: string;
}

/**
 * What happens during a run, in order for each lesson. Lessons running in parallel interleave their
 * events; a lesson that is skipped or cannot be read gets only `lessonEnd`.
 */
export interface Reporter {
  runStart?(lessons: Lesson[]): void;
  lessonStart?(lesson: Lesson): void;
  /** Work around the steps: starting the engine, loading the base image. */
  phase?(lesson: Lesson, name: string, durationMs: number): void;
  /** Something to know before the steps run, e.g. what the user's own engine already holds. */
  note?(lesson: Lesson, text: string): void;
  stepStart?(lesson: Lesson, step: Step): void;
  /** A step started in the background, as in another terminal: its verdict comes when the lesson stops it. */
  background?(lesson: Lesson, step: Step): void;
  verdict?(lesson: Lesson, verdict: StepVerdict): void;
  lessonEnd?(report: LessonReport): void;
  runEnd?(run: RunReport): void | Promise<void>;
}

/** Passes every event to each reporter, in the order given. */
export class Reporters implements Reporter {
  constructor(private readonly all: Reporter[]) {}

  runStart(lessons: Lesson[]): void {
    for (const r of this.all) r.runStart?.(lessons);
  }

  lessonStart(lesson: Lesson): void {
    for (const r of this.all) r.lessonStart?.(lesson);
  }

  phase(lesson: Lesson, name: string, durationMs: number): void {
    for (const r of this.all) r.phase?.(lesson, name, durationMs);
  }

  note(lesson: Lesson, text: string): void {
    for (const r of this.all) r.note?.(lesson, text);
  }

  stepStart(lesson: Lesson, step: Step): void {
    for (const r of this.all) r.stepStart?.(lesson, step);
  }

  background(lesson: Lesson, step: Step): void {
    for (const r of this.all) r.background?.(lesson, step);
  }

  verdict(lesson: Lesson, verdict: StepVerdict): void {
    for (const r of this.all) r.verdict?.(lesson, verdict);
  }

  lessonEnd(report: LessonReport): void {
    for (const r of this.all) r.lessonEnd?.(report);
  }

  async runEnd(run: RunReport): Promise<void> {
    for (const r of this.all) await r.runEnd?.(run);
  }
}

/** A lesson fails when a step failed or could not run; `written` and `updated` steps pass. */
export function lessonStatus(outcome: Outcome): LessonStatus {
  return outcome.verdicts.some((v) => v.status === 'failed' || v.status === 'interrupted' || v.status === 'not-run') ? 'failed' : 'passed';
}

export function lessonCounts(lessons: LessonReport[]): Record<LessonStatus, number> {
  const count = (status: LessonStatus) => lessons.filter((l) => l.status === status).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

/** The closing line CI tools read: `N passed, N failed, N skipped`, counting lessons. */
export function lessonSummary(lessons: LessonReport[]): string {
  const { passed, failed, skipped } = lessonCounts(lessons);
  return `${passed} passed, ${failed} failed, ${skipped} skipped`;
}
