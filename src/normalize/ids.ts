import { valueEnd, valueStart } from './boundary.js';
import { createNumbering } from './numbering.js';
import type { Transform } from './transform.js';

// A hex run only counts when it stands alone: not glued to letters, digits or `_` on either side,
// so a 12-hex slice of a 40-hex commit or of a longer word is never taken for an ID.
export const hexId = new RegExp(
  `${valueStart}(?:` +
    // A full ID or digest: image, layer (`sha256:`), container, overlay2 directory.
    `[0-9a-f]{64}${valueEnd}` +
    // Truncated by docker with an ellipsis: `ADD file:2b00f26f6004576...` (20.10) or `…` (28).
    '|[0-9a-f]{12,63}(?=\\.\\.\\.|…)' +
    // The short form of every docker table: `ca3c65e5b8e7`.
    `|[0-9a-f]{12}${valueEnd}` +
    ')',
  'g',
);

/**
 * BuildKit's own IDs: 25 lower-case base-36 characters (a random 128-bit number). Its overlay2 folders
 * (`MergedDir`, `UpperDir`…), build cache records (`docker buildx du`, `docker builder prune`) and build
 * refs (`docker buildx history`, the `View build details` link) are named so. A word of 25 letters
 * alone is a word: an ID holds a digit and a letter.
 */
export const buildkitId = new RegExp(`${valueStart}(?=[a-z]*[0-9])(?=[0-9]*[a-z])[0-9a-z]{25}${valueEnd}`, 'g');

// `docker system df -v` shows build cache records by their first 12 characters, under `CACHE ID`.
const cacheTable = /^CACHE ID +CACHE TYPE/m;
// In that column any 12 base-36 characters are an ID, digits or not: a fiftieth of them have none.
const cacheRow = /^[0-9a-z]{12}(?= )/gm;

/** Every pattern needs 12 hex digits, 12 base32 characters or 25 base-36 ones in a row, or a build cache table. */
export const mayHoldId = /[0-9a-f]{12}|[A-Z2-7]{12}|[0-9a-z]{25}|^CACHE ID/m;

// overlay2's `l/` directory holds 26-character base32 links to the layer directories.
export const overlayLink = new RegExp(`${valueStart}l/([A-Z2-7]{26})${valueEnd}`, 'g');

/**
 * The `ids` normalizer: image, layer, container and overlay2 directory IDs become `<id-1>`, `<id-2>`…
 * numbered by first appearance in the run, with `sha256:` and `file:` labels left in sight.
 *
 * Docker's own tables identify an object by the first 12 hex digits of its ID, so that prefix is the
 * key here too: the short `ca3c65e5b8e7` in a history table, the long `sha256:ca3c65e5b8e7…` in
 * inspect's JSON and the truncated `ca3c65e5b8e7cab...` are one object and one placeholder, whichever
 * form comes first. A layer that should have been reused but was rebuilt has a new ID, hence a new
 * number, which is exactly the difference a layers lesson has to catch.
 */
export function replaceIds(): Transform {
  const number = createNumbering('id');
  return (text) => {
    if (!mayHoldId.test(text)) return text;
    const numbered = text
      .replace(hexId, (hex) => (looksLikeId(hex) ? number(hex.slice(0, 12)) : hex))
      .replace(overlayLink, (_, link: string) => `l/${number(link)}`)
      // Keyed by the first 12 characters, as hex IDs are, so a cache record's short and full forms are one.
      .replace(buildkitId, (id) => number(id.slice(0, 12)));
    return cacheTable.test(numbered) ? numberCacheRows(numbered, number) : numbered;
  };
}

/** The rows under each `CACHE ID` header, up to the table's end (a blank line). */
function numberCacheRows(text: string, number: (key: string) => string): string {
  return text.replace(/^CACHE ID +CACHE TYPE.*\n(?:.+(?:\n|$))*/gm, (table) => table.replace(cacheRow, (id) => number(id)));
}

// Letters a-f alone spell words and names ("acceded", "defaced", "deadbeefcafe"); a random 12-hex ID
// without a digit is rare enough (1 in 130,000) that missing one costs less than mangling text.
function looksLikeId(hex: string): boolean {
  return /\d/.test(hex);
}
