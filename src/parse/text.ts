import { InputError } from '../errors.js';

/**
 * A tutorial page is rarely over 100 kB; ten times that is a wrong file or a generated one. Reading a
 * page (markdown-it, then planning its steps) takes 0.2 to 0.8 s per MiB (measured on prose, console
 * blocks and nested emphasis), so a file many times larger would look like a hang: it is refused
 * with its size instead.
 */
export const maxPageBytes = 1024 * 1024;

/**
 * Quote markers, list markers and indentation before a line's text, in characters. No page a person
 * wrote comes near this, so such a line is refused, naming it. It does not protect the parser:
 * markdown-it stops descending at a set depth (1 MiB nested 100,000 deep reads in ~15 ms), and
 * parseMarkdown refuses a page that reaches it, naming the line.
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
    throw new InputError(`not UTF-8 text (byte offset ${offset})`, file, line);
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

/** Throws, naming the line, when a line is nested deeper than maxNesting. */
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
