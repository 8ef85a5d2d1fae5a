import { structuredPatch } from 'diff';
import pc from 'picocolors';

/** A unified diff of recorded → actual text, coloured like git's, indented under its step. */
export function formatDiff(expected: string, actual: string, indent = '    '): string {
  const patch = structuredPatch('snapshot', 'actual', withNewline(expected), withNewline(actual), '', '', { context: 3 });
  const lines = [pc.red('--- snapshot'), pc.green('+++ actual')];
  for (const hunk of patch.hunks) {
    lines.push(pc.cyan(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`));
    for (const line of hunk.lines) {
      if (line.startsWith('\\')) continue; // "No newline at end of file": both sides get one above
      lines.push(line.startsWith('-') ? pc.red(line) : line.startsWith('+') ? pc.green(line) : pc.dim(line));
    }
  }
  return lines.map((line) => indent + line).join('\n');
}

function withNewline(text: string): string {
  return text.endsWith('\n') || text === '' ? text : text + '\n';
}
