// Checks the outputs a page shows against what ran, so a page can prove itself truthful without a
// snapshot. Both sides go through the same normalizers, each with its own numbering: the page's
// outputs, in page order, through a fresh normalizer (the author's IDs are not this run's), the
// run's outputs through the run's. A page placeholder then stands for the actual placeholder it
// first lines up with, and for that one only, everywhere after: the layer ID a page shows in two
// tables must be one layer in the run too.

import { startNormalizer } from '../normalize/index.js';
import type { NormalizeSettings } from '../types.js';

/** How much of the page's output for a step the run printed. */
export interface PageDrift {
  /** Lines of the page (wildcards aside) that the run printed, in order. */
  matched: number;
  total: number;
}

export interface PageMatch extends PageDrift {
  /** Every page line matched and the run printed nothing the page does not show or elide. */
  ok: boolean;
  /** Every page line matched, in order, whatever else the run printed: the page shows what the step prints. */
  shown: boolean;
  /** The page's output as compared: normalized, its placeholders renamed after the run's they stand for. */
  expected: string;
}

/** A line that stands for output the author left out: any lines, none included. `......` is one too. */
const elision = /^\s*(?:\.{3,}|…+|\[\.{3,}\]|\[…\]|<snip>|\[snip\]|\(\.{3,}\))\s*$/i;
/** `...` ending a line: the rest of the line, whatever it is. */
const trailingElision = /\s*(?:\.{3,}|…+)$/;
const placeholder = /<([a-z]+)-(\d+)>/g;
/**
 * A generated container name (`hungry_hopper`, `hungry_hopper3` when the engine retried): the page's
 * cannot be known, the run's became `<name-N>`. The same shape the run side reads (run/containers.ts).
 */
const generatedName = /\b[a-z]+_[a-z]+\d?\b/g;

export type LinePattern = { wildcard: true } | { wildcard: false; regex: RegExp; slots: string[] };

/**
 * Starts matching one run against its page: call it with each checked step's page output and normalized
 * actual output, in the order the steps ran. Pure: the same calls give the same answers.
 */
export function startPageMatching(settings: NormalizeSettings): (page: string, actual: string) => PageMatch {
  const normalizePage = startNormalizer({ settings });
  const bindings = new Map<string, string>();
  const taken = new Map<string, string>();

  const bind = (pairs: [string, string][]): boolean => {
    const fresh = new Map<string, string>();
    for (const [slot, value] of pairs) {
      if (slot.startsWith('name:') && value === slot.slice(5)) continue; // the same name on both sides
      const bound = bindings.get(slot) ?? fresh.get(slot);
      const owner = taken.get(value) ?? [...fresh].find(([, v]) => v === value)?.[0];
      if ((bound !== undefined && bound !== value) || (owner !== undefined && owner !== slot)) return false;
      fresh.set(slot, value);
    }
    for (const [slot, value] of fresh) {
      bindings.set(slot, value);
      taken.set(value, slot);
    }
    return true;
  };

  return (page, actual) => {
    const pageLines = dedent(lines(normalizePage(page)));
    // The same on both sides: output whose every line is indented (`ldd` prints a tab first) reads as the page shows it.
    const actualLines = dedent(lines(actual));
    if (sameLines(pageLines, actualLines)) {
      return { matched: pageLines.length, total: pageLines.length, ok: true, shown: true, expected: pageLines.join('\n') };
    }
    const patterns = pageLines.map(compileLine);
    const path = align(patterns, actualLines);
    let matched = 0;
    let extra = 0;
    for (const step of path) {
      if (step.kind === 'extra') extra++;
      if (step.kind !== 'match') continue;
      const pattern = patterns[step.page] as Extract<LinePattern, { wildcard: false }>;
      const values = pattern.regex.exec(actualLines[step.actual]!)!.slice(1);
      if (bind(pattern.slots.map((slot, index) => [slot, values[index]!]))) matched++;
    }
    const total = patterns.filter((pattern) => !pattern.wildcard).length;
    return {
      matched,
      total,
      ok: matched === total && extra === 0,
      shown: matched === total,
      expected: pageLines.map((line) => rename(line, bindings)).join('\n'),
    };
  };
}

/** The common case, decided without patterns: the page shows exactly what ran, with no placeholder or wildcard to bind. */
function sameLines(page: string[], actual: string[]): boolean {
  return page.length === actual.length && page.every((line, i) => line === actual[i] && !line.includes('<') && !elision.test(line) && !trailingElision.test(line));
}

/**
 * Lines without the indentation they all share: a block indented as a whole (a space
 * before each line, as some pages have) shows the same output as one that is not.
 */
function dedent(page: string[]): string[] {
  const indents = page.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return common === 0 ? page : page.map((line) => line.slice(common));
}

function lines(text: string): string[] {
  const all = text.replace(/\n+$/, '').split('\n');
  return all.length === 1 && all[0] === '' ? [] : all;
}

export function compileLine(line: string): LinePattern {
  if (elision.test(line)) return { wildcard: true };
  const open = trailingElision.test(line.trimEnd());
  const text = line.trimEnd().replace(trailingElision, '');
  const slots: string[] = [];
  let source = '';
  let last = 0;
  const tokens = [...text.matchAll(new RegExp(`${placeholder.source}|${generatedName.source}`, 'g'))];
  for (const token of tokens) {
    source += literal(text.slice(last, token.index));
    if (token[1]) {
      slots.push(`${token[1]}:${token[2]}`);
      source += `(<${token[1]}-\\d+>)`;
    } else {
      slots.push(`name:${token[0]}`);
      source += `(<name-\\d+>|${token[0]})`;
    }
    last = token.index + token[0].length;
  }
  source += literal(text.slice(last));
  return { wildcard: false, regex: new RegExp(`^${source}${open ? '' : '\\s*$'}`), slots };
}

/** Literal text, with any run of spaces matching any run: a column's padding is not the author's claim. */
function literal(text: string): string {
  return text
    .split(/\s+/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('\\s+');
}

function rename(line: string, bindings: Map<string, string>): string {
  return line
    .replace(placeholder, (found, kind: string, n: string) => bindings.get(`${kind}:${n}`) ?? found)
    .replace(generatedName, (name) => bindings.get(`name:${name}`) ?? name);
}

type PathStep = { kind: 'match'; page: number; actual: number } | { kind: 'missing' | 'extra' | 'elided' };

/**
 * The alignment of page lines with actual lines that matches the most page lines, and of those
 * leaves the fewest actual lines that no page line matches and no wildcard covers.
 */
function align(patterns: LinePattern[], actual: string[]): PathStep[] {
  const m = patterns.length;
  const n = actual.length;
  const width = n + 1;
  // One missing page line outweighs every extra actual line there can be.
  const missing = n + 1;
  const cost = new Float64Array((m + 1) * width);
  const at = (i: number, j: number) => cost[i * width + j]!;
  const matches = (i: number, j: number) => {
    const pattern = patterns[i]!;
    return !pattern.wildcard && pattern.regex.test(actual[j]!);
  };
  for (let i = m; i >= 0; i--) {
    for (let j = n; j >= 0; j--) {
      let best: number;
      if (i === m) best = n - j;
      else if (patterns[i]!.wildcard) best = Math.min(at(i + 1, j), j < n ? at(i, j + 1) : Infinity);
      else best = Math.min(missing + at(i + 1, j), j < n ? 1 + at(i, j + 1) : Infinity, j < n && matches(i, j) ? at(i + 1, j + 1) : Infinity);
      cost[i * width + j] = best;
    }
  }

  const path: PathStep[] = [];
  let i = 0;
  let j = 0;
  while (i < m || j < n) {
    if (i === m) {
      path.push({ kind: 'extra' });
      j++;
    } else if (patterns[i]!.wildcard) {
      if (j < n && at(i, j) === at(i, j + 1)) {
        path.push({ kind: 'elided' });
        j++;
      } else i++;
    } else if (j < n && matches(i, j) && at(i, j) === at(i + 1, j + 1)) {
      path.push({ kind: 'match', page: i++, actual: j++ });
    } else if (at(i, j) === missing + at(i + 1, j)) {
      path.push({ kind: 'missing' });
      i++;
    } else {
      path.push({ kind: 'extra' });
      j++;
    }
  }
  return path;
}
