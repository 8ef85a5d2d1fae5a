// `check`'s default reporter. Lessons run side by side, so their events interleave. In a terminal, one live
// line per running lesson is redrawn below what is final; elsewhere (CI logs, pipes) only whole lines are
// written, and everything a lesson has to say at its end is one write, so no other lesson can cut into it.

import pc from 'picocolors';
import { formatMs } from '../duration.js';
import type { StepVerdict } from '../judge/verdict.js';
import type { Lesson, Step } from '../types.js';
import { describe, failure, marks, notes, where } from './console.js';
import { lessonSummary, type LessonReport, type Reporter, type RunReport } from './reporter.js';
import { lessonTitle, stepTitle } from './text.js';

/** Where the progress goes: a terminal (live lines) or anything else (plain lines). */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

interface Running {
  started: number;
  steps: number;
  done: number;
  step?: Step;
  stepStarted: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const REDRAW_MS = 100;
const BAR_WIDTH = 10;

export class ProgressReporter implements Reporter {
  private readonly live: boolean;
  private readonly running = new Map<Lesson, Running>();
  /** Lines of the live region currently on screen, under the cursor's line. */
  private drawn = 0;
  private frame = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly out: Output = process.stdout) {
    this.live = Boolean(out.isTTY);
  }

  lessonStart(lesson: Lesson): void {
    const now = performance.now();
    this.running.set(lesson, { started: now, steps: lesson.steps.filter((s) => s.kind !== 'skip').length, done: 0, stepStarted: now });
    if (!this.live) return this.print(`${pc.bold('▶')} ${pc.bold(lessonTitle(lesson))} ${pc.dim(lesson.path)}`);
    // Elapsed times and the spinner move on their own; the timer must never keep a finished run alive.
    this.timer ??= setInterval(() => {
      this.frame++;
      this.redraw();
    }, REDRAW_MS).unref();
    this.redraw();
  }

  phase(lesson: Lesson, name: string, durationMs: number): void {
    if (!this.live) this.print(pc.dim(`  ${lesson.path}  ${name} ${formatMs(durationMs)}`));
  }

  note(lesson: Lesson, text: string): void {
    this.print(pc.yellow(`  ${lesson.path}  note: ${text}`));
  }

  stepStart(lesson: Lesson, step: Step): void {
    const running = this.running.get(lesson);
    if (!running) return;
    running.step = step;
    running.stepStarted = performance.now();
    if (this.live) this.redraw();
  }

  verdict(lesson: Lesson, verdict: StepVerdict): void {
    const running = this.running.get(lesson);
    if (running) running.done++;
    if (this.live) return this.redraw();
    const duration = verdict.result ? pc.dim(` ${formatMs(verdict.result.durationMs)}`) : '';
    this.print(`  ${marks[verdict.status]} ${where(lesson, verdict.step)}  ${describe(verdict.step)}${duration}`);
  }

  lessonEnd(report: LessonReport): void {
    this.running.delete(report.lesson);
    if (this.running.size === 0) this.stopTimer();
    this.print(ending(report));
  }

  runEnd(run: RunReport): void {
    this.stopTimer();
    const cut = run.interrupted ? `: the run was interrupted by ${run.interrupted}` : '';
    this.out.write(this.erase() + lessonSummary(run.lessons) + cut + '\n');
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Final text goes above the live region, which is drawn again under it. */
  private print(text: string): void {
    if (!this.live) {
      this.out.write(text + '\n');
      return;
    }
    this.out.write(this.erase() + text + '\n' + this.region());
  }

  private redraw(): void {
    this.out.write(this.erase() + this.region());
  }

  private erase(): string {
    const moves = this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : '';
    this.drawn = 0;
    return moves;
  }

  private region(): string {
    const columns = Math.max(40, this.out.columns ?? 80);
    // A region taller than the screen could not be moved back over; the rest is counted, not shown.
    const room = Math.max(1, (this.out.rows ?? 24) - 2);
    const entries = [...this.running];
    const lines = entries.slice(0, room).map(([lesson, running]) => this.liveLine(lesson, running, columns - 1));
    if (entries.length > room) lines[room - 1] = pc.dim(`  … and ${entries.length - room + 1} more lessons running`);
    this.drawn = lines.length;
    return lines.map((line) => line + '\n').join('');
  }

  // `⠹ Layers images  3/10 ━━━─────── 12.4s  docker build -t revollat/layers1 … 2.1s`
  private liveLine(lesson: Lesson, running: Running, width: number): string {
    const now = performance.now();
    const spinner = SPINNER[this.frame % SPINNER.length]!;
    const title = lessonTitle(lesson);
    const filled = running.steps ? Math.round((running.done / running.steps) * BAR_WIDTH) : 0;
    const bar = '━'.repeat(filled) + '─'.repeat(BAR_WIDTH - filled);
    const progress = `${running.done}/${running.steps} ${bar} ${formatMs(now - running.started)}`;
    const step = running.step ? stepTitle(running.step) : 'starting';
    const stepTime = running.step ? ` ${formatMs(now - running.stepStarted)}` : '';
    const room = width - [spinner, title, progress, stepTime].join('  ').length - 2;
    const shown = room <= 1 ? '' : step.length > room ? step.slice(0, room - 1) + '…' : step;
    return `${pc.cyan(spinner)} ${pc.bold(title)}  ${pc.dim(progress)}  ${shown}${pc.dim(stepTime)}`;
  }
}

/** Everything a lesson says when it ends, in one piece: its result line, then its failures and notes. */
function ending(report: LessonReport): string {
  const { lesson, outcome, status } = report;
  const head = `${pc.bold(lessonTitle(lesson))} ${pc.dim(lesson.path)}`;
  const duration = pc.dim(formatMs(report.durationMs));
  const ran = outcome.verdicts.filter((v) => v.status !== 'skipped').length;
  if (status === 'skipped') return `${marks.skipped} ${head}  ${pc.yellow(`skipped: ${report.reason}`)}`;

  const failed = outcome.verdicts.filter((v) => v.status === 'failed');
  const notRun = outcome.verdicts.filter((v) => v.status === 'not-run').length;
  const lines =
    status === 'passed'
      ? [`${marks.passed} ${head}  ${pc.dim(`${ran} step${ran === 1 ? '' : 's'}`)} ${duration}`]
      : [`${marks.failed} ${head}  ${pc.red(failed.length ? `${failed.length} of ${ran} steps failed` : 'failed')} ${duration}`];
  if (report.reason && status === 'failed') lines.push(pc.red(`    ${report.line ? `${lesson.path}:${report.line}: ` : ''}${report.reason}`));
  for (const verdict of failed) lines.push(`  ${marks.failed} ${where(lesson, verdict.step)}  ${describe(verdict.step)}`, failure(verdict));
  for (const verdict of outcome.verdicts.filter((v) => v.status === 'interrupted')) {
    lines.push(`  ${marks.interrupted} ${where(lesson, verdict.step)}  ${describe(verdict.step)}`, pc.yellow(`    ${verdict.message ?? 'interrupted'}`));
  }
  if (notRun > 0) lines.push(`  ${marks['not-run']} ${pc.dim(`${notRun} step${notRun === 1 ? '' : 's'} not run`)}`);
  lines.push(...notes(report));
  return lines.join('\n');
}
