import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isMap, LineCounter, parseDocument, stringify } from 'yaml';
import { InputError, type Snapshot, type SnapshotEntry } from '../types.js';

export const defaultSnapshotsDir = 'snapshots';

export function snapshotPath(lessonName: string, dir = defaultSnapshotsDir): string {
  return join(dir, `${lessonName}.yaml`);
}

/** The recorded snapshot, or undefined when none was recorded yet. A broken file is an InputError naming its line. */
export function readSnapshot(path: string): Snapshot | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read snapshot: ${(error as Error).message}`, path);
  }
  const lines = new LineCounter();
  // Step ids are unique by construction; checking it is quadratic in yaml, and costly for long lessons.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const [error] = doc.errors;
  if (error) throw new InputError(`not a readable snapshot: ${error.message.split('\n')[0]}`, path, lines.linePos(error.pos[0]).line);
  const fail = (message: string, offset?: number) =>
    new InputError(`not a readable snapshot: ${message}`, path, offset === undefined ? 1 : lines.linePos(offset).line);
  if (!isMap(doc.contents)) throw fail('expected keys lesson, environment and steps');

  const data = doc.toJSON() as Partial<Snapshot>;
  const stepsNode = doc.contents.get('steps', true);
  if (typeof data.steps !== 'object' || data.steps === null || !isMap(stepsNode)) throw fail('"steps" must be a mapping of step ids');
  for (const pair of stepsNode.items) {
    const id = String((pair.key as { value?: unknown }).value);
    const entry = data.steps[id] as Partial<SnapshotEntry> | null;
    const node = pair.value;
    // Point at the offending field when there is one, else at the step's key.
    const at = (field?: string) => (field && isMap(node) ? (node.get(field, true) as { range?: [number] } | undefined)?.range?.[0] : undefined)
      ?? (pair.key as { range?: [number] }).range?.[0];
    if (typeof entry !== 'object' || entry === null) throw fail(`step "${id}" must be a mapping`, at());
    if (typeof entry.exit !== 'number') throw fail(`step "${id}" has no numeric "exit"`, at('exit'));
    if (typeof entry.output !== 'string') throw fail(`step "${id}" has no text "output"`, at('output'));
  }
  return { lesson: String(data.lesson ?? ''), environment: data.environment ?? {}, steps: data.steps as Record<string, SnapshotEntry> };
}

/** Writes the whole file or nothing: a temp file beside it, then a rename. */
export function writeSnapshot(path: string, snapshot: Snapshot): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, formatSnapshot(snapshot));
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export function formatSnapshot(snapshot: Snapshot): string {
  const header = `# Snapshot of ${snapshot.lesson}, written by \`lesson -u\`. Outputs are normalized: <id-N>, <ago>, <time>...\n`;
  return header + stringify(snapshot, { lineWidth: 0, blockQuote: 'literal', defaultKeyType: 'PLAIN' });
}
