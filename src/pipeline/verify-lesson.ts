// The one path from a planned lesson to its verdict, which `run`, `check`, `shell` and `--watch` all
// take: the snapshot locked and read, each step normalized and judged once as it ends, the closing
// outcome (steps that did not run, obsolete entries, what to write), the snapshot written.

import { pinnedDigests, pinsOf } from '../judge/image-pins.js';
import { startJudging } from '../judge/judging.js';
import { startPageMatching } from '../judge/page-match.js';
import type { JudgeMode } from '../judge/verdict.js';
import { startNormalizer } from '../normalize/index.js';
import { lessonStatus, type LessonReport, type Reporter } from '../report/reporter.js';
import { interruptedBy, onInterrupt } from '../run/cleanup.js';
import { runLesson, type EngineSource, type LiveRun, type RunContext } from '../run/run-lesson.js';
import { lockSnapshot } from '../snapshot/lock.js';
import { NORMALIZERS, normalizerNote } from '../normalize/version.js';
import { snapshotPath } from '../snapshot/store.js';
import { openSnapshot, saveSnapshot } from './snapshot-variant.js';
import type { Lesson, NetworkChoice, StepResult } from '../types.js';

export interface VerifyOptions extends JudgeMode {
  /** The folder of snapshot files. */
  snapshots: string;
  engine: EngineSource;
  /** Run the steps in a sandbox: false only when the command line says --no-sandbox. */
  sandbox: boolean;
  /** `--network`, which overrides the page's `network:`; undefined: the page's. */
  network?: NetworkChoice;
  /** Stop at the first step judged failed. */
  bail: boolean;
  /** false: judge against the snapshot, never write it (`lesson shell`). */
  write?: boolean;
  /** The builder `--builder` asked for; `auto` (the default): the one the fitting variant needs, when this machine has it. */
  builder?: 'legacy' | 'buildkit' | 'auto';
  /** Called after the last step, before anything is torn down, to let a person go on by hand. */
  handOver?: (live: LiveRun) => Promise<void>;
  /** Each step's result as it ran and its output normalized, as the step ends (`lesson fix` writes what ran into the page). */
  onStepOutput?: (result: StepResult, normalized: string, context: RunContext) => void;
  /** `--registry-upstream`: the registry the image cache pulls from (else LESSON_REGISTRY_UPSTREAM, else Docker Hub). */
  registryUpstream?: string;
}

/**
 * Runs one lesson, judges each step as it ends, and writes the snapshot when due. Throws, before or
 * while running, on a broken snapshot file or when no engine can be started.
 */
export async function verifyLesson(lesson: Lesson, options: VerifyOptions, reporter: Reporter): Promise<LessonReport> {
  const file = snapshotPath(lesson.name, options.snapshots);
  const writes = options.write !== false;
  // Held for the whole command, so that a Ctrl-C while the snapshot is written (synchronously) waits for
  // the write to end and releases the lock, instead of killing the process outright in the middle.
  const unregister = onInterrupt(async () => unlock?.());
  let unlock: (() => void) | undefined;
  try {
    // A recording run holds the snapshot's lock from the start: a second one is refused at once, not
    // after running, and nobody rewrites the snapshot between this run's reading and writing it.
    if (writes && options.update && !options.ci) unlock = lockSnapshot(file);
    return await verifyAgainst(file, lesson, options, reporter, writes);
  } finally {
    unregister();
    unlock?.();
  }
}

async function verifyAgainst(file: string, lesson: Lesson, options: VerifyOptions, reporter: Reporter, writes: boolean): Promise<LessonReport> {
  const started = performance.now();
  const phases: LessonReport['phases'] = [];
  const engineChoice = typeof options.engine === 'string' ? options.engine : 'private';
  const opened = await openSnapshot(file, lesson, { engine: engineChoice, update: options.update, switchBuilder: options.builder === 'auto' });
  const recorded = opened.recorded;
  const judging = startJudging(lesson, recorded, { update: options.update, ci: options.ci, records: options.records });
  const normalizing = startStepNormalizer(lesson);
  let failed = false;

  reporter.lessonStart?.(lesson);
  const run = await runLesson(lesson, {
    engine: options.engine,
    sandbox: options.sandbox,
    network: options.network,
    onPhase: (phase, ms) => {
      phases.push({ name: phase, durationMs: ms });
      reporter.phase?.(lesson, phase, ms);
    },
    onNote: (text) => reporter.note?.(lesson, text),
    onStepStart: (step) => reporter.stepStart?.(lesson, step),
    onBackground: (step) => reporter.background?.(lesson, step),
    onStepEnd: (result, context) => {
      const [normalized, page] = normalizing(result, context);
      options.onStepOutput?.(result, normalized.output, context);
      const verdict = judging.judge(normalized, page);
      failed = verdict.status === 'failed';
      reporter.verdict?.(lesson, verdict);
    },
    // Stops where the report says a step failed: a recorded non-zero exit passes, a changed output fails.
    bail: options.bail ? () => failed : undefined,
    handOver: options.handOver,
    // A check asks for the images the snapshot pins; -u records what the sources give now.
    images: { upstream: options.registryUpstream, pins: options.update ? {} : pinnedDigests(recorded?.environment) },
    // A run cut short writes nothing, but says what ran, what was interrupted and what did not run.
    onInterrupted: () => {
      const outcome = { ...judging.finish({}), write: undefined, environmentChanges: [] };
      const durationMs = performance.now() - started;
      reporter.lessonEnd?.({ lesson, status: lessonStatus(outcome), outcome, phases, snapshotFile: file, wrote: false, durationMs, interrupted: interruptedBy() });
    },
  });

  const outcome = judging.finish(run.environment);
  const drifts = outcome.verdicts.flatMap((verdict) =>
    verdict.status === 'failed' && verdict.expected !== undefined && verdict.actual !== undefined ? [{ expected: verdict.expected, actual: verdict.actual }] : [],
  );
  const note = recorded && normalizerNote(recorded.normalizers, drifts, lesson.settings.normalize);
  if (note) outcome.notes = [note];
  // -u stamps today's normalizers on a variant older ones wrote, even when no entry changed.
  if (options.update && !options.records && !options.ci && recorded && (recorded.normalizers ?? 1) < NORMALIZERS) outcome.write ??= recorded;
  const write = writes ? outcome.write : undefined;
  if (write) saveSnapshot(file, opened, write);
  // What the snapshot pins stays in the store, where the cache's expiry cannot drop it.
  const pinned = pinsOf(write?.environment ?? recorded?.environment ?? {}).filter((pin) => pin.digest);
  if (pinned.length > 0 && engineChoice === 'private') await (await import('../run/image-store.js')).keepInStore(pinned, { upstream: options.registryUpstream });
  const report: LessonReport = {
    lesson,
    status: lessonStatus(outcome),
    outcome: { ...outcome, write },
    phases,
    snapshotFile: file,
    wrote: write !== undefined,
    durationMs: performance.now() - started,
  };
  reporter.lessonEnd?.(report);
  return report;
}

/**
 * A step's result as it is judged: its output normalized with the run's numbering, and matched against
 * the output the page shows under it. The normalizer starts with the first step, once the run's
 * folders and engine are known.
 */
function startStepNormalizer(lesson: Lesson) {
  let normalize: ((output: string) => string) | undefined;
  const matchPage = startPageMatching(lesson.settings.normalize);
  return (result: StepResult, context: RunContext) => {
    normalize ??= startNormalizer({
      settings: lesson.settings.normalize,
      paths: { [context.workdir]: '<workdir>', ...(context.engineRoot && { [context.engineRoot]: '<engine>' }) },
      names: context.containerNames,
      hostEngine: context.hostEngine,
      projects: context.projects,
      identity: context.identity,
    });
    const normalized = { ...result, output: normalize(result.output) };
    const { step } = result;
    const page = step.kind === 'command' || step.kind === 'interactive' || step.kind === 'session-input' ? step.expected : undefined;
    return [normalized, page === undefined ? undefined : matchPage(page, normalized.output)] as const;
  };
}
