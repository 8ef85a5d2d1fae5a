import pc from 'picocolors';
import { formatMs, type StepVerdict } from '../check/index.js';
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

  stepStart(lesson: Lesson, step: Step): void {
    if (this.live) this.out.write(pc.dim(`  … ${where(lesson, step)}  ${describe(step)}`));
  }

  verdict(lesson: Lesson, verdict: StepVerdict): void {
    if (this.live) this.out.write('\r\x1b[K');
    const duration = verdict.result ? pc.dim(` ${formatMs(verdict.result.durationMs)}`) : '';
    this.out.write(`  ${marks[verdict.status]} ${where(lesson, verdict.step)}  ${describe(verdict.step)}${duration}\n`);
    if (verdict.status === 'failed') this.out.write(failure(verdict) + '\n');
    if (verdict.status === 'interrupted') this.out.write(pc.yellow(`    ${verdict.message ?? 'interrupted'}`) + '\n');
  }

  lessonEnd({ lesson, outcome, snapshotFile, wrote, interrupted }: LessonReport): void {
    for (const verdict of outcome.verdicts) {
      if (verdict.status === 'not-run' || verdict.status === 'skipped') this.verdict(lesson, verdict);
    }
    for (const note of notes({ outcome, snapshotFile, wrote })) this.out.write(`${note}\n`);
    this.out.write(summary(outcome.verdicts, interrupted) + '\n');
    this.out.flush?.();
  }
}

/** What a lesson's end says besides its steps: environment changes, obsolete entries, a written snapshot. */
export function notes({ outcome, snapshotFile, wrote }: Pick<LessonReport, 'outcome' | 'snapshotFile' | 'wrote'>): string[] {
  const lines = outcome.environmentChanges.map((change) =>
    pc.yellow(`  note: ${change.key} is ${change.actual ?? '(none)'}, the snapshot was recorded with ${change.recorded ?? '(none)'}`),
  );
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
      const typed = [...(step.input ?? []), ...(step.keys ?? [])];
      return `${oneLine(step.command)}${typed.length ? pc.dim(` ⟶ ${typed.map(oneLine).join(' ⏎ ')}`) : ''}`;
    }
    default:
      return oneLine(step.command);
  }
}

function oneLine(text = ''): string {
  const first = text.split('\n')[0]!;
  return first.length > 100 ? first.slice(0, 99) + '…' : first + (text.includes('\n') ? ' …' : '');
}
