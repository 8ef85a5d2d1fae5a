// A page as lines that keep their own line endings, and line edits applied to it: what is not
// edited stays byte for byte (CRLF or LF, a last line with no newline, a byte-order mark).

/** A page's lines: `text` without its ending, `end` the ending as written (`\r\n`, `\n`, `\r`, or none for the last). */
export interface SourceLine {
  text: string;
  end: string;
}

/** Splits a page into lines as the parser numbers them: `\r\n`, `\n` and a lone `\r` each end one. */
export function sourceLines(source: string): SourceLine[] {
  const lines: SourceLine[] = [];
  const ending = /\r\n|\n|\r/g;
  let start = 0;
  for (let found = ending.exec(source); found; found = ending.exec(source)) {
    lines.push({ text: source.slice(start, found.index), end: found[0] });
    start = found.index + found[0].length;
  }
  lines.push({ text: source.slice(start), end: '' });
  return lines;
}

/** Lines `from`..`to` (1-based, inclusive) replaced by `lines`; `to` = `from` - 1 inserts them before line `from`. */
export interface LineEdit {
  from: number;
  to: number;
  lines: string[];
}

/** The page with `edits` applied; edits must not overlap. The new lines take the line ending of the lines around them. */
export function applyEdits(source: string, edits: LineEdit[]): string {
  const lines = sourceLines(source);
  // The page's own line ending, for lines added where none is replaced.
  const usual = lines.find((line) => line.end !== '')?.end ?? '\n';
  for (const edit of [...edits].sort((a, b) => b.from - a.from)) {
    const replaced = lines.slice(edit.from - 1, edit.to);
    const before = lines[edit.from - 2];
    const end = replaced[0]?.end || before?.end || usual;
    const fresh = edit.lines.map((text) => ({ text, end }));
    // The last line replaced may be the page's last, with no newline: so is the last new one.
    const last = replaced.at(-1);
    if (last && fresh.length > 0) fresh[fresh.length - 1] = { text: edit.lines.at(-1) ?? '', end: last.end };
    if (!last && before && before.end === '' && fresh.length > 0) {
      // Inserting after the page's last line: that line now needs an ending, and the new last has none.
      before.end = usual;
      fresh[fresh.length - 1] = { text: edit.lines.at(-1) ?? '', end: '' };
    }
    lines.splice(edit.from - 1, replaced.length, ...fresh);
  }
  return lines.map((line) => line.text + line.end).join('');
}

/**
 * What comes before a block's text on a page line: the list item's indentation, a blockquote's `> `.
 * `valueLine` is that line of the block as the parser gives it; undefined when the page line does not end with it.
 */
export function containerPrefix(pageLine: string, valueLine: string): string | undefined {
  if (valueLine === '') return undefined;
  return pageLine.endsWith(valueLine) ? pageLine.slice(0, pageLine.length - valueLine.length) : undefined;
}
