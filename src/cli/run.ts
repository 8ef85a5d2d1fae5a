import { checkRun, checkStep, type CheckMode } from '../check/index.js';
import { startNormalizer, type NormalizeContext } from '../normalize/index.js';
import { ConsoleReporter } from '../report/console.js';
import { runLesson, type RunContext } from '../run/lesson.js';
import { readSnapshot, snapshotPath, writeSnapshot } from '../snapshot/store.js';
import type { Lesson, StepResult } from '../types.js';

export interface RunCommandOptions {
  update: boolean;
  snapshots: string;
  engine: 'private' | 'host';
  bail: boolean;
  ci: boolean;
}

/** Runs one lesson, checks each step against its snapshot as it ends, and returns the exit code. */
export async function runAndCheck(lesson: Lesson, options: RunCommandOptions, reporter = new ConsoleReporter()): Promise<number> {
  const file = snapshotPath(lesson.name, options.snapshots);
  const recorded = readSnapshot(file);
  const mode: CheckMode = { update: options.update, ci: options.ci };
  const names: string[] = [];
  let normalize: ((output: string) => string) | undefined;
  const normalized: StepResult[] = [];

  reporter.lessonStart(lesson);
  const run = await runLesson(lesson, {
    engine: options.engine,
    onPhase: (phase, ms) => reporter.phase(phase, ms),
    onStepStart: (step) => reporter.stepStart(lesson, step),
    onStepEnd: (result, context) => {
      normalize ??= startNormalizer(normalizeContext(lesson, context, names));
      names.splice(0, names.length, ...context.containerNames);
      const current = { ...result, output: normalize(result.output) };
      normalized.push(current);
      const judged = checkStep(result.step, current, recorded?.steps[result.step.id], lesson.settings.timeoutMs, mode);
      reporter.verdict(lesson, judged.verdict);
    },
    bail: options.bail ? (result) => result.exitCode !== 0 && !result.step.fails : undefined,
  });

  const outcome = checkRun(lesson, normalized, run.environment, recorded, mode);
  if (outcome.write) writeSnapshot(file, outcome.write);
  reporter.lessonEnd(lesson, outcome, file, outcome.write !== undefined);
  return outcome.verdicts.some((v) => v.status === 'failed' || v.status === 'not-run') ? 1 : 0;
}

function normalizeContext(lesson: Lesson, context: RunContext, names: string[]): NormalizeContext {
  return {
    settings: lesson.settings.normalize,
    paths: { [context.workdir]: '<workdir>', ...(context.engineRoot && { [context.engineRoot]: '<engine>' }) },
    names,
  };
}
