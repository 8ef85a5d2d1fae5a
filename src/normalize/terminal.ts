import type { Transform } from './transform.js';

// One token of terminal output: a control sequence or a run of printable text. Tabs count as text:
// the run stage hands over what the program wrote, and tab stops are not ours to guess.
const token =
  /\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]?|(\r)|(\x08)|[\x00-\x08\x0b-\x1f\x7f]|([^\x00-\x08\x0a-\x1f\x7f]+)/g;

/**
 * The `ansi` normalizer: what a terminal would finally show, as plain text. Colours and other escape
 * sequences go; a carriage return moves back to column 0 so a progress line redrawn in place keeps
 * only its last state; trailing whitespace goes, since it is invisible on screen and tabwriter pads
 * the last cell of a row with it.
 *
 * Only single-line redraws are modelled (`\r`, backspace, erase-in-line, cursor-to-column). Redraws
 * that move the cursor up (BuildKit's TTY view, `docker pull` bars) need a screen, not a line; those
 * escapes are dropped, so such programs should be run with plain progress.
 */
export const cleanTerminal: Transform = (text) => (control.test(text) ? renderTerminal(text) : withoutTrailingBlanks(text));

/** Text with no control character renders as itself: most outputs take this path and skip the tokenizer. */
const control = /[\x00-\x08\x0b-\x1f\x7f]/;
// Not /[ \t]+$/gm: with `m`, `$` also ends a line at U+2028 and U+2029, which a terminal prints as text.
const withoutTrailingBlanks: Transform = (text) => text.replace(/[ \t]+(?=\n|$)/g, '');

/** What a terminal shows of `text`, line by line. */
export const renderTerminal: Transform = (text) =>
  text
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => renderLine(line).replace(/[ \t]+$/, ''))
    .join('\n');

function renderLine(line: string): string {
  // Cells rather than a string: a redraw overwrites in place, it does not insert.
  const cells: string[] = [];
  let cursor = 0;

  for (const match of line.matchAll(token)) {
    const [, parameter, final, carriageReturn, backspace, printable] = match;
    if (printable !== undefined) {
      for (const character of printable) {
        while (cells.length < cursor) cells.push(' ');
        cells[cursor++] = character;
      }
    } else if (carriageReturn !== undefined) {
      cursor = 0;
    } else if (backspace !== undefined) {
      cursor = Math.max(0, cursor - 1);
    } else if (final === 'K') {
      eraseInLine(cells, cursor, parameter ?? '');
    } else if (final === 'G') {
      cursor = Math.max(0, (Number.parseInt(parameter || '1', 10) || 1) - 1);
    }
    // Everything else (colours, titles, cursor moves across lines, bells) leaves no text behind.
  }

  return cells.join('');
}

function eraseInLine(cells: string[], cursor: number, mode: string): void {
  if (mode === '' || mode === '0') {
    cells.length = Math.min(cells.length, cursor);
  } else if (mode === '1') {
    cells.fill(' ', 0, Math.min(cells.length, cursor + 1));
  } else if (mode === '2') {
    cells.length = 0;
  }
}
