import pc from 'picocolors';
import { formatMs } from '../duration.js';
import type { StepVerdict } from '../judge/verdict.js';
import type { Lesson, Step } from '../types.js';
import { formatDiff } from './diff.js';
import { batched, type Output } from './batched.js';
import type { LessonReport, Reporter } from './reporter.js';

export const marks: Record<StepVerdict['status'], string> = {
  passed: pc.green('✓'),
  written: pc.cyan('+'),
  updated: pc.yellow('u'),
  failed: pc.red('✗'),
  interrupted: pc.yellow('■'),
  'not-run': pc.dim('○'),
  skipped: pc.dim('-'),
};

/** Live progress for a person: one line per step as it ends, the diff under a failing one. */
export class ConsoleReporter implements Reporter {
  private readonly live: boolean;
  private readonly out: Output & { flush?(): void };
  /** Per lesson, how far its steps are printed: a skipped step shows in page order, before the step after it. */
  private readonly printed = new Map<Lesson, { next: number; skips: Set<Step> }>();
  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.live = Boolean(out.isTTY);
    this.out = this.live ? out : batched(out);
  }

  lessonStart(lesson: Lesson): void {
    this.out.write(`${pc.bold(lesson.settings.title ?? lesson.name)} ${pc.dim(lesson.path)}\n`);
  }

  phase(_lesson: Lesson, name: string, durationMs: number): void {
    this.out.write(pc.dim(`  ${name} ${formatMs(durationMs)}\n`));
  }

  note(_lesson: Lesson, text: string): void {
    this.out.write(pc.yellow(`  note: ${text}\n`));
  }

  stepStart(lesson: Lesson, step: Step): void {
    this.skipsBefore(lesson, step);
    if (this.live) this.out.write(pc.dim(`  … ${where(lesson, step)}  ${describe(step)}`));
  }

  /** A line when a step starts in the background: its verdict, later, says how it ended. */
  background(lesson: Lesson, step: Step): void {
    this.skipsBefore(lesson, step);
    this.out.write(`  ${pc.cyan('⇢')} ${where(lesson, step)}  ${describe(step)}  ${pc.dim(backgroundUntil(step))}\n`);
  }

  verdict(lesson: Lesson, verdict: StepVerdict): void {
    this.skipsBefore(lesson, verdict.step);
    if (this.live) this.out.write('\r\x1b[K');
    const duration = verdict.result ? pc.dim(` ${formatMs(verdict.result.durationMs)}`) : '';
    this.out.write(`  ${marks[verdict.status]} ${where(lesson, verdict.step)}  ${describe(verdict.step)}${duration}\n`);
    if (verdict.status === 'failed') this.out.write(failure(verdict) + '\n');
    if (verdict.status === 'interrupted') this.out.write(pc.yellow(`    ${verdict.message ?? 'interrupted'}`) + '\n');
  }

  lessonEnd({ lesson, outcome, snapshotFile, wrote, interrupted }: LessonReport): void {
    const skips = this.printed.get(lesson)?.skips;
    this.printed.delete(lesson);
    for (const verdict of outcome.verdicts) {
      if (verdict.status === 'not-run' || (verdict.status === 'skipped' && !skips?.has(verdict.step))) this.verdict(lesson, verdict);
    }
    for (const note of notes({ outcome, snapshotFile, wrote })) this.out.write(`${note}\n`);
    this.out.write(summary(outcome.verdicts, interrupted) + '\n');
    this.out.flush?.();
  }

  /** Prints the skipped steps the page has before `step`, not printed yet: the steps read in page order. */
  private skipsBefore(lesson: Lesson, step: Step): void {
    const printed = this.printed.get(lesson) ?? { next: 0, skips: new Set<Step>() };
    this.printed.set(lesson, printed);
    const { steps } = lesson;
    if (step.kind === 'skip' || steps[printed.next] === undefined) return;
    let index = printed.next;
    while (index < steps.length && steps[index] !== step) index++;
    if (index === steps.length) return;
    for (let i = printed.next; i < index; i++) {
      const skipped = steps[i];
      if (skipped?.kind !== 'skip') continue;
      printed.skips.add(skipped);
      this.out.write(`  ${marks.skipped} ${where(lesson, skipped)}  ${describe(skipped)}\n`);
    }
    printed.next = index + 1;
  }
}

/** What a lesson's end says besides its steps: environment changes, obsolete entries, a written snapshot. */
export function notes({ outcome, snapshotFile, wrote }: Pick<LessonReport, 'outcome' | 'snapshotFile' | 'wrote'>): string[] {
  const lines = outcome.environmentChanges.map((change) =>
    pc.yellow(`  note: ${change.key} is ${change.actual ?? '(none)'}, the snapshot was recorded with ${change.recorded ?? '(none)'}`),
  );
  for (const note of outcome.notes ?? []) lines.push(pc.yellow(`  note: ${note}`));
  if (outcome.obsolete.length > 0) {
    const what = wrote ? 'removed' : 'obsolete (remove with -u)';
    lines.push(pc.yellow(`  ${outcome.obsolete.length} snapshot entr${outcome.obsolete.length === 1 ? 'y' : 'ies'} ${what}: ${outcome.obsolete.join(', ')}`));
  }
  if (wrote) lines.push(pc.cyan(`  snapshot written: ${snapshotFile}`));
  return lines;
}

/** The closing line of a lesson's run; `interrupted`: the signal that cut it short, which it then names. */
export function summary(verdicts: StepVerdict[], interrupted?: string): string {
  const count = (...statuses: StepVerdict['status'][]) => verdicts.filter((v) => statuses.includes(v.status)).length;
  const parts = [`${count('passed', 'written', 'updated')} passed`, `${count('failed')} failed`, `${count('skipped')} skipped`];
  const unfinished = [[count('interrupted'), 'interrupted'], [count('not-run'), 'not run']].filter(([n]) => Number(n) > 0).map(([n, what]) => `${n} ${what}`);
  const line = parts.join(', ') + (unfinished.length > 0 ? ` (${unfinished.join(', ')})` : '');
  return interrupted ? `${line}: the run was interrupted by ${interrupted}` : line;
}

export function failure(verdict: StepVerdict): string {
  const lines = [pc.red(`    ${verdict.message ?? 'failed'}`)];
  if (verdict.expected !== undefined && verdict.actual !== undefined) lines.push(formatDiff(verdict.expected, verdict.actual));
  else if (verdict.actual) lines.push(pc.dim(verdict.actual.trimEnd().split('\n').map((l) => `    │ ${l}`).join('\n')));
  return lines.join('\n');
}

/** Until where a background step runs, as the console says when it starts. */
function backgroundUntil(step: Step): string {
  if (step.kind !== 'command' || !step.background) return '';
  const { stop } = step.background;
  return `(in the background until ${stop.by === 'end' ? 'the lesson ends' : `line ${stop.line}`})`;
}

export function where(lesson: Lesson, step: Step): string {
  return pc.dim(`${lesson.path}:${step.line}`);
}

export function describe(step: Step): string {
  switch (step.kind) {
    case 'file':
      return `write ${step.path}`;
    case 'skip':
      return `${step.command ?? 'block'} ${pc.dim(`(${step.reason})`)}`;
    case 'interactive': {
      const typed = [...step.input, ...(step.keys ?? [])];
      return `${oneLine(step.command)}${typed.length ? pc.dim(` ⟶ ${typed.map(oneLine).join(' ⏎ ')}`) : ''}`;
    }
    case 'session-input':
      return pc.dim(`⟶ ${[...step.input, ...(step.keys ?? [])].map(oneLine).join(' ⏎ ')}`);
    case 'command':
      return oneLine(step.command);
  }
}

function oneLine(text = ''): string {
  const first = text.split('\n')[0]!;
  return first.length > 100 ? first.slice(0, 99) + '…' : first + (text.includes('\n') ? ' …' : '');
}
