import type { Transform } from './transform.js';

/**
 * The `tables` normalizer: column padding no longer depends on how wide the values were.
 *
 * Docker aligns its tables with Go's tabwriter, padding every cell to the widest one in its column
 * plus at least 3 spaces. Once `9 minutes ago` has become `<ago>` that padding is meaningless, and it
 * differs between docker versions too (20.10 pads to 20 columns, 28 to 10). So every run of two or
 * more spaces *between* two visible characters becomes exactly two spaces, and padding at the end of
 * a line goes.
 *
 * Two, not one, so cells stay visibly apart and a single space inside a cell (`CREATED BY`) still
 * reads as part of the cell; a value that itself holds two spaces (`#(nop)  CMD`) is left as it is.
 * Leading spaces are indentation (jq's JSON, `docker info`), which carries structure: kept. The rule
 * maps its own output to itself, so it is idempotent, and it runs after the placeholders are in.
 */
export const collapseColumns: Transform = (text) =>
  text.includes('  ') || / $/m.test(text) ? text.replace(/(?<=\S) {2,}(?=\S)/g, '  ').replace(/ +$/gm, '') : text;
