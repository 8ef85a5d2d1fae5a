import { structuredPatch } from 'diff';
import pc from 'picocolors';

/** A unified diff of recorded → actual text as plain lines, headers first; for reports that colour it their own way. */
export function diffLines(expected: string, actual: string): string[] {
  const patch = structuredPatch('snapshot', 'actual', withNewline(expected), withNewline(actual), '', '', { context: 3 });
  const lines = ['--- snapshot', '+++ actual'];
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    // "\ No newline at end of file": both sides get one above
    lines.push(...hunk.lines.filter((line) => !line.startsWith('\\')));
  }
  return lines;
}

/** A unified diff of recorded → actual text, coloured like git's, indented under its step. */
export function formatDiff(expected: string, actual: string, indent = '    '): string {
  const colour = (line: string) =>
    line.startsWith('@@') ? pc.cyan(line) : line.startsWith('-') ? pc.red(line) : line.startsWith('+') ? pc.green(line) : pc.dim(line);
  return diffLines(expected, actual).map((line) => indent + colour(line)).join('\n');
}

function withNewline(text: string): string {
  return text.endsWith('\n') || text === '' ? text : text + '\n';
}
