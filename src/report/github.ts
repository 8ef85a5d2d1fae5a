// GitHub Actions workflow commands: an annotation on the failing step's line, in the pull request's diff
// and the run's summary. https://docs.github.com/actions/reference/workflow-commands-for-github-actions

import type { LessonReport, RunReport } from './reporter.js';
import { failureText, lessonTitle, reportPath, stepTitle } from './text.js';

export function renderGithub(run: RunReport): string {
  const lines = run.lessons.flatMap(annotations);
  return lines.length ? lines.join('\n') + '\n' : '';
}

function annotations(report: LessonReport): string[] {
  const file = reportPath(report.lesson.path);
  const title = lessonTitle(report.lesson);
  const lines: string[] = [];
  if (report.status === 'failed' && report.reason) {
    lines.push(command('error', { file, line: report.line ?? 1, title: `${title}: lesson failed` }, report.reason));
  }
  if (report.status === 'skipped') lines.push(command('notice', { file, line: 1, title: `${title}: skipped` }, report.reason ?? 'skipped'));
  for (const verdict of report.outcome.verdicts) {
    if (verdict.status === 'interrupted') {
      lines.push(command('error', { file, line: verdict.step.line, title: `${title}: ${stepTitle(verdict.step)}` }, verdict.message ?? 'interrupted'));
    }
    if (verdict.status !== 'failed') continue;
    lines.push(command('error', { file, line: verdict.step.line, title: `${title}: ${stepTitle(verdict.step)}` }, failureText(verdict)));
  }
  if (report.outcome.obsolete.length > 0 && !report.wrote) {
    const ids = report.outcome.obsolete.join(', ');
    lines.push(command('warning', { file: reportPath(report.snapshotFile), title: 'obsolete snapshot entries' }, `steps no longer in ${file}: ${ids} (remove with -u)`));
  }
  return lines;
}

function command(kind: 'error' | 'warning' | 'notice', properties: Record<string, string | number>, message: string): string {
  const props = Object.entries(properties).map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',');
  return `::${kind} ${props}::${escapeData(message)}`;
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
