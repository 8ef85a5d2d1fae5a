// The new output lines of a part of a page that no longer matches the run: the page's lines where
// they still match, its elisions where they still stand for lines, and what really ran in place of
// the rest. Both sides are compared normalized, as the check compares them; what is written is raw.

import { compileLine, type LinePattern } from '../judge/page-match.js';

/**
 * Costs of the alignment: a page line that still matches is free; a line of the run written instead
 * of a page line, a page line dropped and a run line added cost one each. An elision covers lines
 * almost for free: all it covers costs less than one line, but each line a little, so that it covers
 * no more than it must, and the line after it on the page keeps standing for what followed it.
 */
const SUBSTITUTE = 1;
const DROP = 1;
const ADD = 1;

/**
 * `page`: the part's lines as the page shows them, normalized (indentation they share removed).
 * `raw`: what ran, as a reader sees it, line by line; `normalized`: the same lines normalized, one
 * for one. Returns the new lines: each page line that matches a run line is kept as written (its
 * IDs, its padding), each elision kept where it is, the other lines of the run written raw. When the
 * normalized lines do not pair one for one with the raw ones (a normalizer regrouped them), the run's
 * lines are written as they are.
 */
export function mergeOutput(page: { shown: string[]; normalized: string[] }, raw: string[], normalized: string[]): string[] {
  if (normalized.length !== raw.length || page.normalized.length !== page.shown.length) return raw;
  const patterns = page.normalized.map(compileLine);
  const m = patterns.length;
  const n = raw.length;
  const width = n + 1;
  const covered = 1 / (2 * (n + 1));
  const cost = new Float64Array((m + 1) * width);
  const at = (i: number, j: number) => cost[i * width + j] ?? Infinity;
  const matches = (pattern: LinePattern, j: number) => !pattern.wildcard && pattern.regex.test(normalized[j] ?? '');
  for (let i = m; i >= 0; i--) {
    for (let j = n; j >= 0; j--) {
      const pattern = patterns[i];
      let best: number;
      if (!pattern) best = ADD * (n - j);
      else if (pattern.wildcard) best = Math.min(at(i + 1, j), j < n ? covered + at(i, j + 1) : Infinity);
      else {
        best = DROP + at(i + 1, j);
        if (j < n) best = Math.min(best, ADD + at(i, j + 1), (matches(pattern, j) ? 0 : SUBSTITUTE) + at(i + 1, j + 1));
      }
      cost[i * width + j] = best;
    }
  }

  const merged: string[] = [];
  let i = 0;
  let j = 0;
  while (i < m || j < n) {
    const pattern = patterns[i];
    const here = at(i, j);
    if (!pattern) {
      merged.push(raw[j++] ?? '');
    } else if (pattern.wildcard) {
      // The elision stays, once, where the page has it; the run's lines it covers are not written.
      if (j < n && here === covered + at(i, j + 1)) j++;
      else merged.push(page.shown[i++] ?? '');
    } else if (j < n && matches(pattern, j) && here === at(i + 1, j + 1)) {
      merged.push(page.shown[i++] ?? '');
      j++;
    } else if (j < n && here === SUBSTITUTE + at(i + 1, j + 1)) {
      merged.push(raw[j++] ?? '');
      i++;
    } else if (here === DROP + at(i + 1, j)) {
      i++;
    } else {
      merged.push(raw[j++] ?? '');
    }
  }
  return merged;
}
