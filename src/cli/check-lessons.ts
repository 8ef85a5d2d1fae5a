import { EngineUnavailable, InputError } from '../errors.js';
import type { Outcome } from '../judge/verdict.js';
import { defaultTimeoutMs } from '../parse/front-matter.js';
import { verifyLesson } from '../pipeline/verify-lesson.js';
import type { LessonReport, LessonStatus, Reporter } from '../report/reporter.js';
import { Requirements } from '../run/requirements.js';
import { snapshotPath } from '../snapshot/store.js';
import type { Lesson } from '../types.js';
import { lessonName, loadLesson } from './lessons.js';
import type { SharedFlags } from './options.js';
import { inPool } from './pool.js';
import { reportingInterrupts } from './interrupted-check.js';

export interface CheckOptions extends SharedFlags {
  update: boolean;
  ci: boolean;
  jobs: number;
  /** false (`--no-skip`): a lesson whose requirements are missing fails instead of being skipped. */
  skip: boolean;
}

interface Loaded {
  lesson: Lesson;
  /** The page could not be read: the lesson fails with this, and nothing runs. */
  error?: InputError;
}

/**
 * Checks many lessons, `jobs` at a time, each with its own engine, folder and shell, and returns the
 * exit code: 0 when none failed.
 */
export async function checkLessons(paths: string[], options: CheckOptions, reporter: Reporter): Promise<number> {
  const started = performance.now();
  const loaded = paths.map(load);
  ownSnapshots(loaded, options.snapshots);
  const requirements = new Requirements(options.engine, options.registryUpstream);
  // Lessons on the user's own engine would see each other's containers: they take turns.
  const jobs = options.engine === 'host' ? 1 : options.jobs;
  const watched = reportingInterrupts(loaded.map((entry) => entry.lesson), options.snapshots, reporter);
  reporter.runStart?.(loaded.map((entry) => entry.lesson));
  const lessons = await inPool(loaded, jobs, (entry) => checkOne(entry, options, requirements, watched.reporter));
  watched.unregister();
  await reporter.runEnd?.({ lessons, durationMs: performance.now() - started });
  return lessons.some((report) => report.status === 'failed') ? 1 : 0;
}

function load(path: string): Loaded {
  try {
    return { lesson: loadLesson(path) };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const name = lessonName(path);
    const settings = { requires: [], timeoutMs: defaultTimeoutMs, prompts: [], normalize: { disable: [], rules: [] } };
    return { lesson: { name, path, settings, requires: [], inferred: [], sections: [], steps: [] }, error };
  }
}

// Snapshots are one file per lesson name, which is what lets parallel updates never collide.
function ownSnapshots(loaded: Loaded[], dir: string): void {
  const byFile = new Map<string, string>();
  for (const { lesson } of loaded) {
    const file = snapshotPath(lesson.name, dir);
    const other = byFile.get(file);
    if (other) throw new InputError(`${other} and ${lesson.path} would share the snapshot ${file}: rename one of them`);
    byFile.set(file, lesson.path);
  }
}

async function checkOne({ lesson, error }: Loaded, options: CheckOptions, requirements: Requirements, reporter: Reporter): Promise<LessonReport> {
  const started = performance.now();
  const end = (status: LessonStatus, reason: string, line?: number): LessonReport => {
    const report: LessonReport = {
      lesson,
      status,
      reason,
      line,
      outcome: unrun(lesson, status === 'skipped' ? reason : undefined),
      phases: [],
      snapshotFile: snapshotPath(lesson.name, options.snapshots),
      wrote: false,
      durationMs: performance.now() - started,
    };
    reporter.lessonEnd?.(report);
    return report;
  };
  const missing = (reason: string) => (options.skip ? end('skipped', reason) : end('failed', `${reason} (--no-skip)`));

  if (error) return error.file === lesson.path ? end('failed', error.message, error.line) : end('failed', error.describe());
  const reason = await requirements.missing(lesson.requires, lesson.settings.images);
  if (reason) return missing(reason);
  try {
    return await verifyLesson(lesson, { ...options, bail: false }, reporter);
  } catch (failure) {
    if (failure instanceof EngineUnavailable) return missing(`docker: ${failure.message}`);
    if (failure instanceof InputError) return end('failed', failure.describe());
    return end('failed', failure instanceof Error ? failure.message : String(failure));
  }
}

/** Verdicts for a lesson none of whose steps ran: skipped with the lesson's reason, or not run. */
function unrun(lesson: Lesson, skipped: string | undefined): Outcome {
  const verdicts = lesson.steps.map((step) =>
    skipped !== undefined || step.kind === 'skip'
      ? { step, status: 'skipped' as const, message: skipped ?? (step.kind === 'skip' ? step.reason : undefined) }
      : { step, status: 'not-run' as const },
  );
  return { verdicts, obsolete: [], environmentChanges: [] };
}
