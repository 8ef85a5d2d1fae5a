// `lesson fix`, the pure part: a page and what its steps really printed → the edits that make the
// output each failing block shows what ran. Only output lines change; a block that still matches
// (an elision, a volatile value) is left as it is. Each edit is checked before it is kept: the page
// must read as the same steps, and the whole page must then match the run as `check-page` matches it.

import { startPageMatching } from '../judge/page-match.js';
import { startNormalizer } from '../normalize/index.js';
import { replacePaths } from '../normalize/paths.js';
import { cleanTerminal } from '../normalize/terminal.js';
import { readPage, type ReadOptions } from '../parse/page.js';
import { planLesson } from '../plan/index.js';
import type { OutputPart, OutputPlace } from '../plan/places.js';
import type { Lesson, NormalizeSettings, OutputStep, Step, StepResult } from '../types.js';
import { applyEdits, containerPrefix, sourceLines, type LineEdit, type SourceLine } from './lines.js';
import { mergeOutput } from './merge.js';
import { screenParts } from './screen.js';

/** What one step printed: as it ran, and normalized with the run's numbering (as the check compares it). */
export interface StepOutput {
  result: StepResult;
  normalized: string;
}

export interface FixInput {
  /** The page as read before the run. */
  source: string;
  path: string;
  name: string;
  /** How the page was read for the run: the config's settings, the command line's. */
  read: ReadOptions;
  /** Each step that ran, by id, in the order it ran. */
  outputs: Map<string, StepOutput>;
  /** The run's own folders and the placeholder the check reads for each (`<workdir>`): they differ on every run. */
  paths: Record<string, string>;
  /** Give output to a block that shows none (`--add-missing`). */
  addMissing: boolean;
}

/** The edit of one step's output on the page. */
export interface BlockFix {
  step: OutputStep;
  /** The first page line it changes (or adds after). */
  line: number;
  edits: LineEdit[];
  /** Set when the page still does not match the run there, with why. */
  warning?: string;
}

export interface FixPlan {
  fixes: BlockFix[];
  /** Steps whose output on the page differs from the run and that are left as they are, with why. */
  left: { step: Step; reason: string }[];
}

/** How a step's output is written: merged with the page's (its matching lines and elisions kept), or as it ran. */
type Style = 'merged' | 'raw';

/** The fixes of a page: for each step whose page output no longer matches the run, the edits of its output lines. Pure. */
export function planFixes(input: FixInput): FixPlan {
  const { lesson, places } = planned(input.source, input);
  const lines = sourceLines(input.source);
  const failing = failingSteps(lesson, input.outputs);
  const left: FixPlan['left'] = [];
  const candidates: { step: OutputStep; build: (style: Style) => BlockFix | string | undefined }[] = [];

  for (const step of lesson.steps) {
    if (step.kind !== 'command' && step.kind !== 'interactive' && step.kind !== 'session-input') continue;
    const output = input.outputs.get(step.id);
    const wanted = failing.has(step.id) || (input.addMissing && step.expected === undefined && output !== undefined && output.result.output.trim() !== '');
    if (!wanted || !output) continue;
    const place = places.get(step.id);
    if (place && !place.checked) continue; // `check-page=false`: the author keeps this block as it is
    const unusable = unusableResult(output.result);
    if (unusable) {
      left.push({ step, reason: unusable });
      continue;
    }
    if (!place) {
      left.push({ step, reason: 'its output is not in a code block of its own (a command in inline code): fix it by hand' });
      continue;
    }
    candidates.push({ step, build: (style) => fixStep(step, place, output, lines, { ...input, normalize: lesson.settings.normalize }, style) });
  }

  // Each edit is kept only if the page still reads as the same steps with it.
  const kept: { step: OutputStep; fix: BlockFix; style: Style; build: (style: Style) => BlockFix | string | undefined }[] = [];
  const reading = readingOf(lesson);
  const readsTheSame = (fixes: BlockFix[]) => readingOf(planned(applyFixes(input.source, fixes), input).lesson) === reading;
  // Most pages take every edit: checked all at once first, then one by one only when that fails.
  const merged = candidates.map((candidate) => ({ candidate, built: candidate.build('merged') }));
  const all = merged.flatMap(({ built }) => (built === undefined || typeof built === 'string' ? [] : [built]));
  const together = merged.every(({ built }) => typeof built !== 'string') && readsTheSame(all);
  for (const { candidate, built } of merged) {
    if (!together) break;
    if (built !== undefined && typeof built !== 'string') kept.push({ step: candidate.step, fix: built, style: 'merged', build: candidate.build });
  }
  for (const candidate of together ? [] : candidates) {
    let reason: string | undefined;
    for (const style of ['merged', 'raw'] as const) {
      const built = candidate.build(style);
      if (built === undefined) break; // nothing to change
      if (typeof built === 'string') {
        reason = built;
        break;
      }
      if (readsTheSame([...kept.map((k) => k.fix), built])) {
        kept.push({ step: candidate.step, fix: built, style, build: candidate.build });
        reason = undefined;
        break;
      }
      reason = 'the output it printed would change how the page reads (a line taken for a command or a prompt): fix it by hand';
    }
    if (reason) left.push({ step: candidate.step, reason });
  }

  // Then the whole page must match the run: a merged step that still does not is written as it ran.
  let stillFailing = failingSteps(planned(applyFixes(input.source, kept.map((k) => k.fix)), input).lesson, input.outputs);
  for (const entry of kept) {
    if (!stillFailing.has(entry.step.id) || entry.style === 'raw') continue;
    const raw = entry.build('raw');
    if (raw === undefined || typeof raw === 'string') continue;
    const others = kept.filter((k) => k !== entry).map((k) => k.fix);
    if (readsTheSame([...others, raw])) {
      entry.fix = raw;
      entry.style = 'raw';
    }
  }
  stillFailing = failingSteps(planned(applyFixes(input.source, kept.map((k) => k.fix)), input).lesson, input.outputs);
  for (const entry of kept) {
    if (stillFailing.has(entry.step.id)) entry.fix.warning = 'written as it ran, yet the check will still not match it: a value the normalizers do not know, or a name the run gave';
  }
  return { fixes: kept.map((k) => k.fix).sort((a, b) => a.line - b.line), left };
}

/** The page with these fixes applied (all of them, or those a person accepted). */
export function applyFixes(source: string, fixes: BlockFix[]): string {
  return applyEdits(source, fixes.flatMap((fix) => fix.edits));
}

function planned(source: string, input: Pick<FixInput, 'path' | 'name' | 'read'>): { lesson: Lesson; places: Map<string, OutputPlace> } {
  const places = new Map<string, OutputPlace>();
  const lesson = planLesson(readPage(source, input.path, input.name, input.read), places);
  return { lesson, places };
}

/** How a page reads, lines and outputs aside: the same for a page whose outputs alone changed. */
function readingOf(lesson: Lesson): string {
  return JSON.stringify(lesson.steps.map(({ line: _line, ...step }) => ('expected' in step ? { ...step, expected: undefined, checkPage: undefined } : step)));
}

/**
 * The steps whose page output does not match the run, as the check finds them: every step that shows
 * output is matched in the order it ran (the page's placeholders bind across steps), a command when
 * the page shows all it printed, a terminal when every page line is on its screen.
 */
function failingSteps(lesson: Lesson, outputs: Map<string, StepOutput>): Set<string> {
  const match = startPageMatching(lesson.settings.normalize);
  const failing = new Set<string>();
  for (const step of lesson.steps) {
    const output = outputs.get(step.id);
    if (!output || (step.kind !== 'command' && step.kind !== 'interactive' && step.kind !== 'session-input') || step.expected === undefined) continue;
    const found = match(step.expected, output.normalized);
    if (step.checkPage && !(step.kind === 'command' ? found.ok : found.shown)) failing.add(step.id);
  }
  return failing;
}

/** Why a step's output cannot stand for what it prints; undefined when it can. */
function unusableResult(result: StepResult): string | undefined {
  if (result.interrupted) return `interrupted by ${result.interrupted}: its output is not all it prints`;
  if (result.timedOut) return 'timed out: its output is not all it prints';
  if (result.error) return `did not run: ${result.error}`;
  return undefined;
}

/** The lines of an output, with no final newline. */
function rowsOf(text: string): string[] {
  const trimmed = text.replace(/\n+$/, '');
  return trimmed === '' ? [] : trimmed.split('\n');
}

/**
 * The edits that make the page show what `step` printed: each failing part of its output replaced,
 * with the page's indentation. Undefined when nothing would change; a string says why it cannot be done.
 */
function fixStep(step: OutputStep, place: OutputPlace, output: StepOutput, page: SourceLine[], input: FixInput & { normalize: NormalizeSettings }, style: Style): BlockFix | string | undefined {
  const raw = rowsOf(replacePaths(input.paths)(cleanTerminal(output.result.output)));
  const normalized = rowsOf(output.normalized);
  const paired = normalized.length === raw.length;
  const typed = place.parts.flatMap((part) => (part.typed === undefined ? [] : [part.typed]));
  const terminal = step.kind !== 'command';
  // Which rows of the run stand under each part of the page.
  const spans = place.whole || (typed.length === 0 && !terminal)
    ? [trimmed(raw.map((_, index) => index), raw)]
    : screenParts(raw, typed, place.parts[0]?.typed === undefined)?.map((span) => trimmed(span, raw));
  if (!spans || spans.length !== place.parts.length) return 'the screen does not show the lines typed on the page, in order: fix it by hand';

  const value = place.block.value.split('\n');
  const valueLine = (line: number) => value[line - place.block.contentLine];
  const pagePart = (part: OutputPart) => part.lines.map((line) => valueLine(line) ?? '');
  const shows = step.expected !== undefined;
  const partFails = place.parts.map((part, index) => {
    if (part.lines.length === 0) return input.addMissing && !shows;
    if (place.parts.length === 1) return true;
    // A session: only the parts whose lines are not on the screen under their typed line change.
    const match = startPageMatching(input.normalize);
    const span = spans[index] ?? [];
    return !match(pagePart(part).join('\n'), span.map((row) => normalized[row] ?? '').join('\n')).shown;
  });
  // The step fails as a whole (the page's placeholders across parts) though each part matches alone: all of them.
  const rewrite = partFails.some(Boolean) ? partFails : place.parts.map((part) => part.lines.length > 0);

  const normalizePage = startNormalizer({ settings: input.normalize });
  const edits: LineEdit[] = [];
  for (const [index, part] of place.parts.entries()) {
    if (!rewrite[index]) continue;
    const span = spans[index] ?? [];
    const old = pagePart(part);
    // Indentation all lines share is no difference to the check, on either side: the page's is kept,
    // and where the page has none the output's own (`ldd` indents with a tab).
    const ranRaw = span.map((row) => raw[row] ?? '');
    const ranIndent = sharedIndent(ranRaw);
    const runRaw = ranRaw.map((line) => line.slice(ranIndent.length));
    const runNormalized = paired ? dedented(span.map((row) => normalized[row] ?? '')) : [];
    const pageIndent = part.lines.length > 0 ? sharedIndent(old) : (/^[ \t]*/.exec(valueLine(part.after) ?? '')?.[0] ?? '');
    const shown = old.map((line) => line.slice(pageIndent.length));
    const indent = part.lines.length > 0 && pageIndent !== '' ? pageIndent : pageIndent + ranIndent;
    const fresh = style === 'merged' && paired ? mergeOutput({ shown, normalized: rowsOf(normalizePage(shown.join('\n') + '\n')) }, runRaw, runNormalized) : runRaw;
    if (fresh.join('\n') === shown.join('\n')) continue;
    const first = part.lines[0];
    const last = part.lines.at(-1);
    if (first !== undefined && last !== undefined && last - first + 1 !== part.lines.length) {
      return 'lines the page does not read as output (a ^C, a comment) lie among its output lines: fix it by hand';
    }
    const prefix = prefixOf(first ?? part.after, page, place, valueLine);
    const text = fresh.map((line) => (line === '' ? (prefix + indent).trimEnd() : prefix + indent + line));
    edits.push(first !== undefined && last !== undefined ? narrowed(first, last, text, page) : { from: part.after + 1, to: part.after, lines: text });
  }
  if (edits.length === 0) return undefined;
  return { step, line: Math.min(...edits.map((edit) => edit.from)), edits };
}

/** The edit of lines `first`..`last` into `text`, without the lines at either end that stay the same. */
function narrowed(first: number, last: number, text: string[], page: SourceLine[]): LineEdit {
  const old = page.slice(first - 1, last).map((line) => line.text);
  let head = 0;
  while (head < old.length && head < text.length && old[head] === text[head]) head++;
  let tail = 0;
  while (tail < old.length - head && tail < text.length - head && old[old.length - 1 - tail] === text[text.length - 1 - tail]) tail++;
  return { from: first + head, to: last - tail, lines: text.slice(head, text.length - tail) };
}

/** A span of rows without the blank rows at its end. */
function trimmed(span: number[], rows: string[]): number[] {
  let end = span.length;
  while (end > 0 && (rows[span[end - 1] ?? -1] ?? '').trim() === '') end--;
  return span.slice(0, end);
}

/** Lines without the indentation they all share. */
function dedented(lines: string[]): string[] {
  const shared = sharedIndent(lines);
  return lines.map((line) => line.slice(shared.length));
}

/** The indentation every non-blank line shares. */
function sharedIndent(lines: string[]): string {
  const filled = lines.filter((line) => line.trim() !== '');
  let shared = /^[ \t]*/.exec(filled[0] ?? '')?.[0] ?? '';
  for (const line of filled) while (shared && !line.startsWith(shared)) shared = shared.slice(0, -1);
  return shared;
}

/** What comes before the block's text on the page at `line` (a list's indentation, a quote's `> `), read from that line or another of the block. */
function prefixOf(line: number, page: SourceLine[], place: OutputPlace, valueLine: (line: number) => string | undefined): string {
  const candidates = [line, ...place.block.value.split('\n').map((_, index) => place.block.contentLine + index)];
  for (const candidate of candidates) {
    const found = containerPrefix(page[candidate - 1]?.text ?? '', valueLine(candidate) ?? '');
    if (found !== undefined) return found;
  }
  // A block with no text: the fence's own indentation.
  return /^[ \t>]*/.exec(page[place.block.contentLine - 2]?.text ?? '')?.[0] ?? '';
}
