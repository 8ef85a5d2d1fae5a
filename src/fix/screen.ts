// A terminal's screen cut where the page cuts it: at each line typed in the session, so that the
// output under each typed line of the page can be set to what showed under it on the screen.

import { isContainerPrompt } from '../plan/page-sessions.js';

/**
 * The screen's rows under each typed line, in order: `parts[0]` what showed before the first typed
 * line (when `leading`), then one part per typed line. Each part ends before the row where the next
 * line is typed; the last one before the prompt that came back with nothing typed. Undefined when the
 * screen does not show the typed lines in order (a line too long for the terminal's width...).
 */
export function screenParts(rows: string[], typed: string[], leading: boolean): number[][] | undefined {
  const at: number[] = [];
  const prompts = new Set<string>();
  let from = 0;
  for (const line of typed) {
    const text = line.trimEnd();
    const row = rows.findIndex((candidate, index) => index >= from && candidate.trimEnd().endsWith(text));
    if (row < 0) return undefined;
    const prompt = (rows[row] ?? '').trimEnd().slice(0, -text.length || undefined).trimEnd();
    if (prompt !== '') prompts.add(prompt);
    at.push(row);
    from = row + 1;
  }
  let end = rows.length;
  while (end > from && (rows[end - 1] ?? '').trim() === '') end--;
  // The prompt that came back at the end, nothing typed at it: the next block's, not this output.
  const lastRow = (rows[end - 1] ?? '').trimEnd();
  if (end > from && (prompts.has(lastRow) || isContainerPrompt(lastRow))) end--;
  const spans = at.map((row, index) => range(row + 1, at[index + 1] ?? end));
  return leading ? [range(0, at[0] ?? end), ...spans] : spans;
}

/** The indices from `start` to `end`, trailing blank rows left out by the caller. */
function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, index) => start + index);
}
