import type { NormalizeSettings } from '../types.js';
import { startNormalizer } from './index.js';

/**
 * The version of the built-in normalizers: one more whenever one of them turns some output into other
 * text than before. A snapshot records the version that wrote it; one that records none was written
 * before versions were kept, which is version 1. 2: BuildKit's plain progress and BuildKit's IDs.
 */
export const NORMALIZERS = 2;

/** A failed step's texts: what the snapshot recorded, and what this run printed, normalized. */
export interface Drift {
  expected: string;
  actual: string;
}

/**
 * What to say when a snapshot written by older normalizers (`recorded`) meets differences: when the
 * normalizers of today, applied to what was recorded, give exactly what ran, the differences are theirs
 * and nothing drifted; otherwise nothing. Pure: the recorded outputs are normalized again in their order, as one run.
 */
export function normalizerNote(recorded: number | undefined, drifts: Drift[], settings: NormalizeSettings): string | undefined {
  const version = recorded ?? 1;
  if (version >= NORMALIZERS || drifts.length === 0) return undefined;
  const again = startNormalizer({ settings });
  // Placeholders are numbered again on both sides: a value the new normalizers drop (a vertex's
  // digest) shifts every number after it, without anything having changed.
  const recordedNow = renumber(drifts.map((drift) => again(drift.expected)));
  const ranNow = renumber(drifts.map((drift) => drift.actual));
  const theirs = recordedNow.every((text, index) => text === ranNow[index]);
  // Otherwise something did drift, and the diffs say what: a word on normalizers would only be noise.
  return theirs ? `recorded with normalizers ${version}, these are ${NORMALIZERS}, and they alone make the differences: nothing drifted; re-record with \`-u\`` : undefined;
}

/** `<id-7>`, `<id-9>`… numbered again from 1 by first appearance across `texts`, kind by kind. */
function renumber(texts: string[]): string[] {
  const numbers = new Map<string, string>();
  const counts = new Map<string, number>();
  return texts.map((text) =>
    text.replace(/<([a-z]+)-(\d+)>/g, (placeholder, kind: string) => {
      let number = numbers.get(placeholder);
      if (number === undefined) {
        const count = (counts.get(kind) ?? 0) + 1;
        counts.set(kind, count);
        number = `<${kind}-${count}>`;
        numbers.set(placeholder, number);
      }
      return number;
    }),
  );
}
