// JUnit XML as CI systems read it (GitHub test reporters, GitLab's `reports: junit`, Jenkins): one
// testsuite per lesson, one testcase per step, with the Markdown file and line.

import type { StepVerdict } from '../judge/verdict.js';
import type { LessonReport, RunReport } from './reporter.js';
import { failureText, lessonTitle, reportPath, stepTitle } from './text.js';

export function renderJunit(run: RunReport): string {
  const suites = run.lessons.map(suite);
  const total = (key: keyof Counts) => suites.reduce((sum, s) => sum + s.counts[key], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lesson"${attributes({ tests: total('tests'), failures: total('failures'), errors: total('errors'), skipped: total('skipped'), time: seconds(run.durationMs) })}>`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function suite(report: LessonReport): { xml: string; counts: Counts } {
  const file = reportPath(report.lesson.path);
  const counts: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const cases: string[] = [];
  const testcase = (name: string, line: number, durationMs: number, body: string[]) => {
    counts.tests++;
    const attrs = attributes({ name, classname: file, file, line, time: seconds(durationMs) });
    cases.push(body.length ? `    <testcase${attrs}>\n${body.map((b) => `      ${b}`).join('\n')}\n    </testcase>` : `    <testcase${attrs}/>`);
  };

  // Whatever failed outside the steps (an unreadable page, an engine that would not start, --no-skip).
  if (report.status === 'failed' && report.reason) {
    counts.errors++;
    testcase('lesson', report.line ?? 1, 0, [`<error${attributes({ message: report.reason })}>${text(report.reason)}</error>`]);
  }
  for (const verdict of report.outcome.verdicts) {
    const body = caseBody(verdict, report);
    if (verdict.status === 'failed') counts.failures++;
    if (verdict.status === 'interrupted') counts.errors++;
    if (verdict.status === 'skipped' || verdict.status === 'not-run') counts.skipped++;
    testcase(`${verdict.step.line}: ${stepTitle(verdict.step)}`, verdict.step.line, verdict.result?.durationMs ?? 0, body);
  }
  const properties = [
    `    <properties>`,
    `      <property${attributes({ name: 'snapshot', value: reportPath(report.snapshotFile) })}/>`,
    ...report.outcome.obsolete.map((id) => `      <property${attributes({ name: 'obsolete snapshot entry', value: id })}/>`),
    `    </properties>`,
  ];
  const attrs = attributes({ name: lessonTitle(report.lesson), file, ...counts, time: seconds(report.durationMs) });
  return { xml: [`  <testsuite${attrs}>`, ...properties, ...cases, '  </testsuite>'].join('\n'), counts };
}

function caseBody(verdict: StepVerdict, report: LessonReport): string[] {
  switch (verdict.status) {
    case 'failed': {
      const out = verdict.actual ?? verdict.result?.output;
      return [
        `<failure${attributes({ message: verdict.message ?? 'failed' })}>${text(failureText(verdict))}</failure>`,
        ...(out ? [`<system-out>${text(out)}</system-out>`] : []),
      ];
    }
    case 'interrupted':
      return [`<error${attributes({ type: 'interrupted', message: verdict.message ?? 'interrupted' })}/>`];
    case 'not-run':
      return [`<skipped${attributes({ message: report.reason ? `not run: ${report.reason}` : 'not run: an earlier step failed' })}/>`];
    case 'skipped':
      return [`<skipped${attributes({ message: verdict.message ?? 'skipped' })}/>`];
    default:
      return [];
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([key, value]) => ` ${key}="${text(String(value)).replace(/[\n\r\t]/g, (c) => `&#${c.charCodeAt(0)};`)}"`)
    .join('');
}

// XML 1.0 forbids most control characters even escaped, and a terminal's output may hold some (ESC, NUL, BS).
const notXml = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function text(value: string): string {
  return value.replace(notXml, '\uFFFD').replace(/[&<>"']/g, (c) => entities[c]!);
}
