import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, isMap, LineCounter, parseDocument, visit } from 'yaml';
import { decodeUtf8 } from '../parse/text.js';
import type { Snapshot, SnapshotEntry } from '../types.js';
import { InputError } from '../errors.js';
import { defaultSnapshotsDir } from './default-dir.js';
import { lockSnapshot } from './lock.js';
import { readVariants } from './variant-file.js';

export function snapshotPath(lessonName: string, dir = defaultSnapshotsDir): string {
  return join(dir, `${lessonName}.yaml`);
}

/** The recorded snapshot, or undefined when none was recorded yet. A broken file is an InputError naming its line. */
export function readSnapshot(path: string): Snapshot | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read snapshot: ${(error as Error).message}`, path);
  }
  const text = decodeUtf8(bytes, path);
  const lines = new LineCounter();
  // yaml's own check of unique keys is quadratic, and costly for long lessons: step ids are checked below.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const [error] = doc.errors;
  if (error) throw new InputError(`not a readable snapshot: ${error.message.split('\n')[0]}`, path, lines.linePos(error.pos[0]).line);
  const fail = (message: string, offset?: number) =>
    new InputError(`not a readable snapshot: ${message}`, path, offset === undefined ? 1 : lines.linePos(offset).line);
  if (!isMap(doc.contents)) throw fail('expected keys lesson, environment and steps');

  let data: Partial<Snapshot>;
  try {
    data = doc.toJSON() as Partial<Snapshot>;
  } catch (error) {
    // yaml refuses aliases that expand without bound (a "billion laughs" file).
    throw fail((error as Error).message);
  }
  const stepsNode = doc.contents.get('steps', true);
  if (typeof data.steps !== 'object' || data.steps === null || !isMap(stepsNode)) throw fail('"steps" must be a mapping of step ids');
  const seen = new Set<string>();
  for (const pair of stepsNode.items) {
    const id = String((pair.key as { value?: unknown }).value);
    const entry = data.steps[id] as Partial<SnapshotEntry> | null;
    const node = pair.value;
    // Point at the offending field when there is one, else at the step's key.
    const at = (field?: string) => (field && isMap(node) ? (node.get(field, true) as { range?: [number] } | undefined)?.range?.[0] : undefined)
      ?? (pair.key as { range?: [number] }).range?.[0];
    // A hand edit (a bad merge) may repeat a step: the last one would silently win.
    if (seen.has(id)) throw fail(`step "${id}" appears twice`, at());
    seen.add(id);
    if (typeof entry !== 'object' || entry === null) throw fail(`step "${id}" must be a mapping`, at());
    if (typeof entry.exit !== 'number') throw fail(`step "${id}" has no numeric "exit"`, at('exit'));
    if (typeof entry.output !== 'string') throw fail(`step "${id}" has no text "output"`, at('output'));
  }
  const variants = readVariants(doc.contents.get('variants', true), data.variants, fail);
  if (data.normalizers !== undefined && !Number.isInteger(data.normalizers)) throw fail('"normalizers" must be a whole number', (doc.contents.get('normalizers', true) as { range?: [number] } | undefined)?.range?.[0]);
  const normalizers = data.normalizers === undefined ? {} : { normalizers: data.normalizers };
  return { lesson: String(data.lesson ?? ''), ...normalizers, environment: data.environment ?? {}, steps: data.steps as Record<string, SnapshotEntry>, ...(variants && { variants }) };
}

/**
 * Writes the whole file or nothing, under the snapshot's lock: a temp file beside it, flushed to disk,
 * then renamed over it. On a full disk or a read-only folder the recorded snapshot stays as it was.
 */
export function writeSnapshot(path: string, snapshot: Snapshot): void {
  const temp = `${path}.${process.pid}.tmp`;
  let unlock: (() => void) | undefined;
  try {
    unlock = lockSnapshot(path);
    const fd = openSync(temp, 'w');
    try {
      writeFileSync(fd, formatSnapshot(snapshot));
      // Without it, a crash just after the rename could leave an empty file where the snapshot was.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    // On a read-only folder even this fails; nothing was created there then.
    try {
      rmSync(temp, { force: true });
    } catch {
      // nothing to remove
    }
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot write the snapshot (${(error as Error).message}); the recorded one is unchanged`, path);
  } finally {
    unlock?.();
  }
}

export function formatSnapshot(snapshot: Snapshot): string {
  const header = `# Snapshot of ${snapshot.lesson}, written by \`lesson -u\`. Outputs are normalized: <id-N>, <ago>, <time>...\n`;
  // Two texts yaml 2.9 writes in a way that does not read back the same (found by test/reliability/properties.test.ts):
  // only blanks and line breaks, as a block literal, and control characters, double-quoted and folded.
  // The first are double-quoted, and double-quoted text stays on one line, as in JSON.
  const doc = new Document(snapshot);
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && /^\s+$/.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return header + doc.toString({ lineWidth: 0, blockQuote: 'literal', defaultKeyType: 'PLAIN', doubleQuotedAsJSON: true });
}
