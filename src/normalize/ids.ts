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

/** Both patterns need 12 hex digits, or 12 base32 characters, in a row. */
export const mayHoldId = /[0-9a-f]{12}|[A-Z2-7]{12}/;

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
    return text
      .replace(hexId, (hex) => (looksLikeId(hex) ? number(hex.slice(0, 12)) : hex))
      .replace(overlayLink, (_, link: string) => `l/${number(link)}`);
  };
}

// Letters a-f alone spell words and names ("acceded", "defaced", "deadbeefcafe"); a random 12-hex ID
// without a digit is rare enough (1 in 130,000) that missing one costs less than mangling text.
function looksLikeId(hex: string): boolean {
  return /\d/.test(hex);
}
