import type { Lesson, Snapshot, SnapshotEntry, Step, StepResult } from '../types.js';
import { sameEnvironmentValue, worthTelling } from './image-pins.js';
import { judgeStep } from './judge-step.js';
import type { PageMatch } from './page-match.js';
import type { EnvironmentChange, JudgeMode, Outcome, StepVerdict } from './verdict.js';

/** A lesson judged step by step as its steps end; `finish` adds the steps that did not run and what to write. */
export interface Judging {
  /** Judges one step's normalized result, once: its verdict is final. */
  judge(result: StepResult, page?: PageMatch): StepVerdict;
  /** The whole lesson's outcome, given the environment the run described. */
  finish(environment: Record<string, string>): Outcome;
}

/** Starts judging one run of `lesson` against its recorded snapshot. Pure: the same calls give the same outcome. */
export function startJudging(lesson: Lesson, recorded: Snapshot | undefined, mode: JudgeMode): Judging {
  const old = recorded?.steps ?? {};
  const judged = new Map<string, { verdict: StepVerdict; entry?: SnapshotEntry; changed: boolean }>();
  // A partial recording (`--step`, `-t`) records the steps it names; the others are judged as a check judges them.
  const partial = mode.update && mode.records !== undefined;
  const modeOf = (step: Step): JudgeMode => (partial && !mode.records?.(step) ? { ...mode, update: false } : mode);
  const reference = (step: Step, page?: PageMatch) => ({ entry: old[step.id], page, defaultTimeoutMs: lesson.settings.timeoutMs, mode: modeOf(step) });
  return {
    judge(result, page) {
      const judgement = judgeStep(result.step, result, reference(result.step, page));
      judged.set(result.step.id, judgement);
      return judgement.verdict;
    },
    finish(environment) {
      const next: Record<string, SnapshotEntry> = {};
      let changed = false;
      const verdicts = lesson.steps.map((step) => {
        // A step that did not run (skipped, not reached) is judged here, for the first time.
        const judgement = judged.get(step.id) ?? judgeStep(step, undefined, reference(step));
        if (judgement.entry) next[step.id] = judgement.entry;
        changed ||= judgement.changed;
        return judgement.verdict;
      });

      const planned = new Set(lesson.steps.map((step) => step.id));
      const obsolete = Object.keys(old).filter((id) => !planned.has(id));
      const whole = mode.update && !partial;
      if (!whole) for (const id of obsolete) next[id] = old[id] as SnapshotEntry;
      changed ||= whole && obsolete.length > 0;

      const environmentChanges = diffEnvironment(recorded?.environment ?? {}, environment);
      changed ||= whole && environmentChanges.length > 0;
      const write = changed && !mode.ci
        ? { lesson: lesson.path, environment: whole || !recorded ? environment : recorded.environment, steps: next }
        : undefined;
      return { verdicts, obsolete, write, environmentChanges: recorded ? environmentChanges.filter(worthTelling(recorded.environment)) : [] };
    },
  };
}

/** A whole run's normalized results judged at once (page matches by step id): the same verdicts as live judging. */
export function judgeRun(
  lesson: Lesson,
  run: { results: StepResult[]; environment: Record<string, string>; pages?: ReadonlyMap<string, PageMatch> },
  recorded: Snapshot | undefined,
  mode: JudgeMode,
): Outcome {
  const judging = startJudging(lesson, recorded, mode);
  for (const result of run.results) judging.judge(result, run.pages?.get(result.step.id));
  return judging.finish(run.environment);
}

function diffEnvironment(recorded: Record<string, string>, actual: Record<string, string>): EnvironmentChange[] {
  const keys = [...new Set([...Object.keys(recorded), ...Object.keys(actual)])];
  return keys
    .filter((key) => !sameEnvironmentValue(key, recorded[key], actual[key]))
    .map((key) => ({ key, recorded: recorded[key], actual: actual[key] }));
}
