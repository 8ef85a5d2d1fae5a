// The full result for other tools. Fields are documented in docs/ci.md; absent values are left out.

import type { StepVerdict } from '../judge/verdict.js';
import { lessonCounts, type LessonReport, type RunReport } from './reporter.js';
import { lessonTitle } from './text.js';

export function renderJson(run: RunReport): string {
  const report = { summary: lessonCounts(run.lessons), durationMs: Math.round(run.durationMs), interrupted: run.interrupted, lessons: run.lessons.map(lessonJson) };
  return JSON.stringify(report, null, 2) + '\n';
}

function lessonJson(report: LessonReport) {
  return {
    name: report.lesson.name,
    title: lessonTitle(report.lesson),
    path: report.lesson.path,
    status: report.status,
    reason: report.reason,
    line: report.line,
    durationMs: Math.round(report.durationMs),
    phases: report.phases.map((phase) => ({ name: phase.name, durationMs: Math.round(phase.durationMs) })),
    snapshot: { file: report.snapshotFile, written: report.wrote, obsolete: report.outcome.obsolete },
    environmentChanges: report.outcome.environmentChanges,
    steps: report.outcome.verdicts.map(stepJson),
  };
}

function stepJson({ step, status, result, message, expected, actual }: StepVerdict) {
  return {
    id: step.id,
    kind: step.kind,
    line: step.line,
    command: step.kind === 'file' ? undefined : step.kind === 'session-input' ? step.input.join('\n') : step.command,
    path: step.kind === 'file' ? step.path : undefined,
    status,
    message,
    exitCode: result?.exitCode,
    durationMs: result && Math.round(result.durationMs),
    output: result?.output,
    expected,
    actual,
  };
}
