import { formatMs } from '../duration.js';
import { hasNoWayOut } from '../plan/page-sessions.js';
import type { SnapshotEntry, Step, StepResult } from '../types.js';
import type { PageMatch } from './page-match.js';
import type { JudgeMode, StepVerdict } from './verdict.js';

export interface StepJudgement {
  verdict: StepVerdict;
  /** The entry the snapshot should hold for this step afterwards. */
  entry?: SnapshotEntry;
  /** Whether that entry differs from the recorded one. */
  changed: boolean;
}

/** What a step is judged against, besides its own result. */
export interface StepReference {
  /** Its entry in the recorded snapshot. */
  entry?: SnapshotEntry;
  /** How the page's output for it matched the run's, when the page shows one. */
  page?: PageMatch;
  /** The lesson's timeout, for a step that has none of its own. */
  defaultTimeoutMs: number;
  mode: JudgeMode;
}

/**
 * Judges one step's normalized result (none: it did not run) against its recorded entry, or against
 * the page's output when the step is page-checked. Pure.
 */
export function judgeStep(step: Step, result: StepResult | undefined, reference: StepReference): StepJudgement {
  const judged = judge(step, result, reference);
  const { page } = reference;
  return page ? { ...judged, verdict: { ...judged.verdict, page: { matched: page.matched, total: page.total } } } : judged;
}

function judge(step: Step, result: StepResult | undefined, { entry, page, defaultTimeoutMs, mode }: StepReference): StepJudgement {
  const unchanged = (verdict: StepVerdict): StepJudgement => ({ verdict, entry, changed: false });
  if (step.kind === 'skip') return unchanged({ step, status: 'skipped', message: step.reason });
  if (!result) return unchanged({ step, status: 'not-run' });
  const failed = (message: string, extra: Partial<StepVerdict> = {}) => unchanged({ step, status: 'failed', result, message, ...extra });

  // Cut short by a signal, its output and status say nothing about the step.
  if (result.interrupted) return unchanged({ step, status: 'interrupted', result, message: `interrupted by ${result.interrupted}` });
  if (result.timedOut) return failed(`timed out after ${formatMs(step.timeoutMs ?? defaultTimeoutMs)}${step.kind === 'interactive' && hasNoWayOut(step, []) ? ': the page shows no way out of this session; type exit on the page, or annotate keys="…"' : ''}`);
  if (result.error) return failed(result.error);
  const exit = result.exitCode ?? -1;
  if (step.fails && exit === 0) return failed('exited 0, but the step is marked as expected to fail');
  // A page that shows the error a step prints documents the failure: it is what the step should do.
  const documented = page !== undefined && page.shown && page.total > 0;
  if (!step.fails && exit !== 0 && entry?.exit !== exit && !documented) return failed(`exited with status ${exit}`, { actual: result.output });
  if (step.kind !== 'file' && step.checkPage && page) {
    // The page is this step's reference: its snapshot entry is neither read nor written.
    // A terminal's screen also shows prompts and typing, a background command what came while the page
    // went on: every page line there, in order, is enough.
    const agrees = step.kind === 'command' && !step.background ? page.ok : page.shown;
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
  const background = step.kind === 'command' && step.background !== undefined;
  if (entry.exit === actual.exit && (background ? linesAppear(entry.output, actual.output, step.unordered) : sameOutput(entry.output, actual.output, step.unordered))) {
    const moved = entry.line !== actual.line || entry.command !== actual.command || entry.path !== actual.path;
    return mode.update
      ? { verdict: { step, status: 'passed', result }, entry: actual, changed: moved }
      : unchanged({ step, status: 'passed', result });
  }
  if (mode.update) return { verdict: { step, status: 'updated', result }, entry: actual, changed: true };
  const differs = background ? 'lines the snapshot recorded are missing from the output (a background command is checked for them, in order)' : 'output differs from the snapshot';
  const message = entry.exit !== actual.exit ? `exited with status ${actual.exit}, the snapshot recorded ${entry.exit}` : differs;
  return failed(message, { expected: entry.output, actual: actual.output });
}

function toEntry(step: Exclude<Step, { kind: 'skip' }>, result: StepResult): SnapshotEntry {
  return {
    line: step.line,
    ...(step.kind === 'file' ? { path: step.path } : { command: step.kind === 'session-input' ? step.input.join('\n') : step.command }),
    exit: result.exitCode ?? -1,
    output: result.output,
  };
}

/**
 * A background command's output depends on how long it ran (one more log line, one more ping): it
 * passes when every line recorded shows in it, in order (`unordered`: in any order), whatever else.
 */
function linesAppear(recorded: string, actual: string, unordered = false): boolean {
  const wanted = recorded.split('\n').filter(Boolean);
  const got = actual.split('\n').filter(Boolean);
  if (unordered) {
    const counts = new Map<string, number>();
    for (const line of got) counts.set(line, (counts.get(line) ?? 0) + 1);
    return wanted.every((line) => {
      const left = counts.get(line) ?? 0;
      counts.set(line, left - 1);
      return left > 0;
    });
  }
  let at = 0;
  for (const line of got) if (line === wanted[at]) at++;
  return at === wanted.length;
}

function sameOutput(recorded: string, actual: string, unordered = false): boolean {
  if (!unordered) return recorded === actual;
  const sorted = (text: string) => text.split('\n').filter(Boolean).sort().join('\n');
  return sorted(recorded) === sorted(actual);
}
