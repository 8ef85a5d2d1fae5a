// One self-contained page: each lesson's prose rendered from its Markdown, with every step's result placed
// under the block it came from. Built as a hast tree, so every text and attribute is escaped by the
// serializer; raw HTML from the pages is dropped, remote images become text, and the page's own policy
// forbids loading anything, so opening a report never touches the network.

import { readFileSync } from 'node:fs';
import type { Element, ElementContent, Root, RootContent } from 'hast';
import rehypeStringify from 'rehype-stringify';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { formatMs } from '../duration.js';
import type { StepVerdict } from '../judge/verdict.js';
import { parseMarkdown } from '../parse/markdown.js';
import { diffLines } from './diff.js';
import { style } from './html-style.js';
import { lessonCounts, lessonSummary, type LessonReport, type RunReport } from './reporter.js';
import { lessonTitle, stepTitle } from './text.js';

const toHast = unified().use(remarkRehype);
const serializer = unified().use(rehypeStringify);
const policy = "default-src 'none'; style-src 'unsafe-inline'";

type Child = ElementContent | string | false | undefined;

function h(tagName: string, properties: Element['properties'], ...children: Child[]): Element {
  const content = children.filter((c): c is ElementContent | string => c !== false && c !== undefined && c !== '');
  return { type: 'element', tagName, properties, children: content.map((c) => (typeof c === 'string' ? { type: 'text', value: c } : c)) };
}

export function renderHtml(run: RunReport, readSource: (path: string) => string = (path) => readFileSync(path, 'utf8')): string {
  const summary = lessonSummary(run.lessons);
  const page: Root = {
    type: 'root',
    children: [
      { type: 'doctype' },
      h(
        'html',
        { lang: 'en' },
        h(
          'head',
          {},
          h('meta', { charSet: 'utf-8' }),
          h('meta', { httpEquiv: ['Content-Security-Policy'], content: policy }),
          h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
          h('title', {}, `Lessons: ${summary}`),
          h('style', {}, style),
        ),
        h('body', {}, overview(run), h('main', {}, ...run.lessons.map((report, i) => lessonSection(report, anchor(i), readSource)))),
      ),
    ],
  };
  return serializer.stringify(page) + '\n';
}

function anchor(index: number): string {
  return `lesson-${index + 1}`;
}

function badge(status: string): Element {
  return h('span', { className: ['badge', status] }, status);
}

function overview(run: RunReport): Element {
  const counts = lessonCounts(run.lessons);
  const rows = run.lessons.map((report, i) =>
    h(
      'tr',
      { className: [report.status] },
      h('td', {}, badge(report.status)),
      h('td', {}, h('a', { href: `#${anchor(i)}` }, lessonTitle(report.lesson))),
      h('td', {}, h('code', {}, report.lesson.path)),
      h('td', { className: ['number'] }, String(report.lesson.steps.filter((step) => step.kind !== 'skip').length)),
      h('td', { className: ['number'] }, formatMs(report.durationMs)),
    ),
  );
  return h(
    'header',
    {},
    h('h1', {}, 'Lesson report'),
    h(
      'p',
      { className: ['summary'] },
      ...(['passed', 'failed', 'skipped'] as const).flatMap((status) => [h('span', { className: ['count', status] }, `${counts[status]} ${status}`), ' ']),
      h('span', { className: ['duration'] }, `in ${formatMs(run.durationMs)}`),
    ),
    h(
      'table',
      { className: ['index'] },
      h('thead', {}, h('tr', {}, ...['', 'lesson', 'page', 'steps', 'time'].map((name) => h('th', {}, name)))),
      h('tbody', {}, ...rows),
    ),
  );
}

function lessonSection(report: LessonReport, id: string, readSource: (path: string) => string): Element {
  const { lesson, outcome } = report;
  const notes = [
    ...outcome.environmentChanges.map((c) => `${c.key} is ${c.actual ?? '(none)'}, the snapshot was recorded with ${c.recorded ?? '(none)'}`),
    ...(outcome.obsolete.length ? [`obsolete snapshot entries${report.wrote ? ' (removed)' : ''}: ${outcome.obsolete.join(', ')}`] : []),
    ...(report.wrote ? [`snapshot written: ${report.snapshotFile}`] : []),
    ...report.phases.map((phase) => `${phase.name}: ${formatMs(phase.durationMs)}`),
  ];
  return h(
    'section',
    { className: ['lesson', report.status], id },
    h('h2', {}, badge(report.status), ' ', lessonTitle(lesson), ' ', h('code', { className: ['path'] }, lesson.path), ' ', h('span', { className: ['duration'] }, formatMs(report.durationMs))),
    report.reason && h('p', { className: ['reason'] }, report.line ? `${lesson.path}:${report.line}: ${report.reason}` : report.reason),
    notes.length > 0 && h('ul', { className: ['notes'] }, ...notes.map((note) => h('li', {}, note))),
    prose(report, id, readSource),
  );
}

/** The page rendered, each code block (or command paragraph) followed by the results of the steps it holds. */
function prose(report: LessonReport, id: string, readSource: (path: string) => string): Element {
  let source: string;
  try {
    source = readSource(report.lesson.path);
  } catch (error) {
    return h('p', { className: ['reason'] }, `the page could not be read again for this report: ${(error as Error).message}`);
  }
  const tree = toHast.runSync(parseMarkdown(source)) as Root;
  const placed = new Set<StepVerdict>();
  placeResults(tree, report, id, placed);
  // Steps whose block could not be found (the page changed since the run) still get shown, at the end.
  const rest = report.outcome.verdicts.filter((v) => !placed.has(v));
  const content = tree.children.filter((node): node is ElementContent => node.type !== 'doctype');
  return h('article', { className: ['prose'] }, ...content, rest.length > 0 && results(rest, report, id));
}

function placeResults(parent: Root | Element, report: LessonReport, id: string, placed: Set<StepVerdict>): void {
  parent.children = parent.children.flatMap((node): RootContent[] => {
    if (node.type !== 'element') return [node];
    if (node.tagName === 'img') return [h('span', { className: ['image'] }, `[image: ${String(node.properties.alt ?? node.properties.src ?? '')}]`)];
    if (node.tagName === 'a' && !safeLink(String(node.properties.href ?? ''))) delete node.properties.href;
    const at = node.position;
    // A code block holds its steps; a paragraph may be one (a command in inline code on its own line).
    if ((node.tagName === 'pre' || node.tagName === 'p') && at) {
      const mine = report.outcome.verdicts.filter((v) => v.step.line >= at.start.line && v.step.line <= at.end.line);
      if (mine.length > 0) {
        for (const verdict of mine) placed.add(verdict);
        return [h('div', { className: ['block', worst(mine)] }, node, results(mine, report, id))];
      }
    }
    placeResults(node, report, id, placed);
    return [node];
  }) as Element['children'];
}

function safeLink(href: string): boolean {
  return /^(https?:|mailto:|#)/i.test(href) || !/^[a-z][a-z0-9+.-]*:/i.test(href);
}

function shown(verdict: StepVerdict): string {
  return verdict.status === 'written' ? 'recorded' : verdict.status;
}

function worst(verdicts: StepVerdict[]): string {
  const order = ['failed', 'interrupted', 'not-run', 'skipped'];
  return order.find((status) => verdicts.some((v) => v.status === status)) ?? 'passed';
}

function results(verdicts: StepVerdict[], report: LessonReport, id: string): Element {
  return h('div', { className: ['results'] }, ...verdicts.map((verdict) => stepResult(verdict, report, id)));
}

function stepResult(verdict: StepVerdict, report: LessonReport, id: string): Element {
  const { step, result } = verdict;
  const diff = verdict.expected !== undefined && verdict.actual !== undefined;
  const output = verdict.actual ?? result?.output;
  const typed = step.kind === 'interactive' ? [...step.input, ...(step.keys ?? [])] : step.kind === 'session-input' ? [...step.input.slice(1), ...(step.keys ?? [])] : [];
  return h(
    'div',
    { className: ['step', verdict.status], id: `${id}-line-${step.line}` },
    h(
      'div',
      { className: ['step-head'] },
      badge(shown(verdict)),
      ' ',
      h('code', { className: ['where'] }, `${report.lesson.path}:${step.line}`),
      ' ',
      h('code', { className: ['command'] }, stepTitle(step)),
      typed.length > 0 && h('span', { className: ['typed'] }, ` ⟶ ${typed.join(' ⏎ ')}`),
      result && ' ',
      result && h('span', { className: ['duration'] }, formatMs(result.durationMs)),
    ),
    verdict.message && h('p', { className: ['message'] }, verdict.message),
    diff && h('pre', { className: ['diff'] }, ...diffLines(verdict.expected!, verdict.actual!).map(diffLine)),
    output && h('pre', { className: ['output'] }, output),
  );
}

function diffLine(line: string): Element {
  const kind = line.startsWith('@@') ? 'hunk' : line.startsWith('-') ? 'removed' : line.startsWith('+') ? 'added' : 'same';
  return h('span', { className: [kind] }, line);
}
