import type { Lesson, Snapshot, SnapshotEntry, Step, StepResult } from '../types.js';
import type { PageDrift, PageMatch } from './page-output.js';

export type VerdictStatus = 'passed' | 'failed' | 'written' | 'updated' | 'interrupted' | 'not-run' | 'skipped';

export interface StepVerdict {
  step: Step;
  status: VerdictStatus;
  result?: StepResult;
  /** Why a step failed, in one line. */
  message?: string;
  /** On an output mismatch: the recorded (or, for a page-checked step, the page's) and the actual normalized text. */
  expected?: string;
  actual?: string;
  /** How much of the output the page shows under the step the run printed, for steps whose page shows one. */
  page?: PageDrift;
}

export interface CheckMode {
  /** `-u`: record what ran as the new truth. */
  update: boolean;
  /** CI never writes: a missing entry fails. */
  ci: boolean;
}

export interface CheckOutcome {
  verdicts: StepVerdict[];
  /** Snapshot entries for steps the lesson no longer has. */
  obsolete: string[];
  /** The snapshot to write, when anything should change on disk. */
  write?: Snapshot;
  /** Environment entries that differ from the recorded ones: a likely cause of a mismatch. */
  environmentChanges: { key: string; recorded?: string; actual?: string }[];
}

/** Compares one run's normalized results with the recorded snapshot, and with the page's outputs (`pages`, by step id). Pure. */
export function checkRun(
  lesson: Lesson,
  results: StepResult[],
  environment: Record<string, string>,
  recorded: Snapshot | undefined,
  mode: CheckMode,
  pages?: ReadonlyMap<string, PageMatch>,
): CheckOutcome {
  const byId = new Map(results.map((result) => [result.step.id, result]));
  const old = recorded?.steps ?? {};
  const next: Record<string, SnapshotEntry> = {};
  let changed = false;

  const verdicts = lesson.steps.map((step): StepVerdict => {
    const judged = checkStep(step, byId.get(step.id), old[step.id], lesson.settings.timeoutMs, mode, pages?.get(step.id));
    if (judged.entry) next[step.id] = judged.entry;
    changed ||= judged.changed;
    return judged.verdict;
  });

  const planned = new Set(lesson.steps.map((step) => step.id));
  const obsolete = Object.keys(old).filter((id) => !planned.has(id));
  if (!mode.update) for (const id of obsolete) next[id] = old[id]!;
  changed ||= mode.update && obsolete.length > 0;

  const environmentChanges = diffEnvironment(recorded?.environment ?? {}, environment);
  changed ||= mode.update && environmentChanges.length > 0;
  const write = changed && !mode.ci
    ? { lesson: lesson.path, environment: mode.update || !recorded ? environment : recorded.environment, steps: next }
    : undefined;
  return { verdicts, obsolete, write, environmentChanges: recorded ? environmentChanges : [] };
}

export interface StepJudgement {
  verdict: StepVerdict;
  /** The entry the snapshot should hold for this step afterwards. */
  entry?: SnapshotEntry;
  /** Whether that entry differs from the recorded one. */
  changed: boolean;
}

/**
 * Judges one step's normalized result against its recorded entry, or against the page's output
 * (`page`) when the step is page-checked; used live, step by step, and for the whole run.
 */
export function checkStep(step: Step, result: StepResult | undefined, entry: SnapshotEntry | undefined, defaultTimeoutMs: number, mode: CheckMode, page?: PageMatch): StepJudgement {
  const judged = judgeStep(step, result, entry, defaultTimeoutMs, mode, page);
  return page ? { ...judged, verdict: { ...judged.verdict, page: { matched: page.matched, total: page.total } } } : judged;
}

function judgeStep(step: Step, result: StepResult | undefined, entry: SnapshotEntry | undefined, defaultTimeoutMs: number, mode: CheckMode, page?: PageMatch): StepJudgement {
  const unchanged = (verdict: StepVerdict): StepJudgement => ({ verdict, entry, changed: false });
  if (step.kind === 'skip') return unchanged({ step, status: 'skipped', message: step.reason });
  if (!result) return unchanged({ step, status: 'not-run' });
  const failed = (message: string, extra: Partial<StepVerdict> = {}) => unchanged({ step, status: 'failed', result, message, ...extra });

  // Cut short by a signal, its output and status say nothing about the step.
  if (result.interrupted) return unchanged({ step, status: 'interrupted', result, message: `interrupted by ${result.interrupted}` });
  if (result.timedOut) return failed(`timed out after ${formatMs(step.timeoutMs ?? defaultTimeoutMs)}`);
  if (result.error) return failed(result.error);
  const exit = result.exitCode ?? -1;
  if (step.fails && exit === 0) return failed('exited 0, but the step is marked as expected to fail');
  // A page that shows the error a step prints documents the failure: it is what the step should do.
  const documented = page !== undefined && page.shown && page.total > 0;
  if (!step.fails && exit !== 0 && entry?.exit !== exit && !documented) return failed(`exited with status ${exit}`, { actual: result.output });
  if (step.checkPage && page) {
    // The page is this step's reference: its snapshot entry is neither read nor written.
    const agrees = step.kind === 'interactive' ? page.shown : page.ok;
    const judged = { entry: mode.update ? undefined : entry, changed: mode.update && entry !== undefined };
    if (agrees) return { verdict: { step, status: 'passed', result }, ...judged };
    const message = `page output matches ${page.matched}/${page.total} lines`;
    return { verdict: { step, status: 'failed', result, message, expected: page.expected, actual: result.output }, ...judged };
  }

  const actual = toEntry(step, result);
  if (!entry) {
    if (mode.ci) return failed('no snapshot entry: CI never writes snapshots; record it with `lesson <lesson> -u`', { actual: actual.output });
    return { verdict: { step, status: 'written', result }, entry: actual, changed: true };
  }
  if (entry.exit === actual.exit && sameOutput(entry.output, actual.output, step.unordered)) {
    const moved = entry.line !== actual.line || entry.command !== actual.command || entry.path !== actual.path;
    return mode.update
      ? { verdict: { step, status: 'passed', result }, entry: actual, changed: moved }
      : unchanged({ step, status: 'passed', result });
  }
  if (mode.update) return { verdict: { step, status: 'updated', result }, entry: actual, changed: true };
  const message = entry.exit !== actual.exit ? `exited with status ${actual.exit}, the snapshot recorded ${entry.exit}` : 'output differs from the snapshot';
  return failed(message, { expected: entry.output, actual: actual.output });
}

function toEntry(step: Step, result: StepResult): SnapshotEntry {
  return {
    line: step.line,
    ...(step.command !== undefined && { command: step.command }),
    ...(step.path !== undefined && { path: step.path }),
    exit: result.exitCode ?? -1,
    output: result.output,
  };
}

function sameOutput(recorded: string, actual: string, unordered = false): boolean {
  if (!unordered) return recorded === actual;
  const sorted = (text: string) => text.split('\n').filter(Boolean).sort().join('\n');
  return sorted(recorded) === sorted(actual);
}

function diffEnvironment(recorded: Record<string, string>, actual: Record<string, string>) {
  const keys = [...new Set([...Object.keys(recorded), ...Object.keys(actual)])];
  return keys
    .filter((key) => recorded[key] !== actual[key])
    .map((key) => ({ key, recorded: recorded[key], actual: actual[key] }));
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}
