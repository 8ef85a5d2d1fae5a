import { InputError } from '../types.js';

/**
 * A tutorial page is rarely over 100 kB; ten times that is a wrong file or a generated one. Past it,
 * remark's time (measured: ~0.4 MB/s of prose, ~0.1 MB/s of deeply nested lists or emphasis) and
 * memory would look like a hang, so the page is refused with its size instead.
 */
export const maxPageBytes = 1024 * 1024;

/**
 * Quote markers, list markers and indentation before a line's text, in characters. remark's time
 * grows with nesting depth times lines, and past a few thousand levels its recursion overflows the
 * stack; no page a person wrote comes near this.
 */
export const maxNesting = 400;

/** Bytes → text, refusing what is not UTF-8: a Latin-1 page would otherwise run commands with � in them. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    // ignoreBOM keeps a byte order mark in the text, so offsets below line up; the parser drops it.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const offset = firstInvalidByte(bytes);
    const line = bytes.subarray(0, offset).filter((byte) => byte === 0x0a).length + 1;
    throw new InputError(`not UTF-8 text (byte offset ${offset}, line ${line})`, file);
  }
}

// Up to the first invalid sequence, a lenient decode encodes back to the same bytes; there, the
// replacement character (EF BF BD) differs from what the file holds.
function firstInvalidByte(bytes: Uint8Array): number {
  const roundTrip = Buffer.from(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
  let offset = 0;
  while (offset < bytes.length && bytes[offset] === roundTrip[offset]) offset++;
  return offset;
}

/** Throws, naming the line, when a line is nested deeper than remark can read in reasonable time. */
export function checkNesting(lines: string[], file: string): void {
  const prefix = /^(?:[ \t>]|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*/;
  lines.forEach((line, index) => {
    // Cheap test first: only a line this long can hold a prefix this long.
    if (line.length <= maxNesting) return;
    const depth = prefix.exec(line)![0].length;
    if (depth > maxNesting) {
      throw new InputError(`nested too deeply to read: ${depth} characters of quote and list markers or indentation before the text (the limit is ${maxNesting})`, file, index + 1);
    }
  });
}
