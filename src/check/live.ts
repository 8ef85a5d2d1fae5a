import { startNormalizer } from '../normalize/index.js';
import type { RunContext } from '../run/lesson.js';
import type { Lesson, SnapshotEntry, StepResult } from '../types.js';
import { checkStep, type CheckMode, type StepVerdict } from './index.js';
import { startPageCheck, type PageMatch } from './page-output.js';

/** A run judged step by step as it goes: what each step's verdict was, and what the whole-run check needs. */
export interface LiveJudge {
  /** Normalizes one step's result as it ends and checks it against its snapshot entry and its page output. */
  judge(result: StepResult, context: RunContext): StepVerdict;
  readonly normalized: StepResult[];
  readonly pages: Map<string, PageMatch>;
}

/** `lesson run`, `check` and `shell` judge steps the same way, through this. */
export function startJudging(lesson: Lesson, recorded: Record<string, SnapshotEntry> | undefined, mode: CheckMode): LiveJudge {
  let normalize: ((output: string) => string) | undefined;
  const comparePage = startPageCheck(lesson.settings.normalize);
  const normalized: StepResult[] = [];
  const pages = new Map<string, PageMatch>();
  return {
    normalized,
    pages,
    judge(result, context) {
      normalize ??= startNormalizer({
        settings: lesson.settings.normalize,
        paths: { [context.workdir]: '<workdir>', ...(context.engineRoot && { [context.engineRoot]: '<engine>' }) },
        names: context.containerNames,
      });
      const current = { ...result, output: normalize(result.output) };
      normalized.push(current);
      const page = result.step.expected === undefined ? undefined : comparePage(result.step.expected, current.output);
      if (page) pages.set(result.step.id, page);
      return checkStep(result.step, current, recorded?.[result.step.id], lesson.settings.timeoutMs, mode, page).verdict;
    },
  };
}
