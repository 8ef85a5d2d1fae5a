import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import pc from 'picocolors';
import { FreshEngines } from '../run/ready-engine.js';
import { snapshotPath } from '../snapshot/store.js';
import type { Lesson } from '../types.js';
import { InputError } from '../errors.js';
import { imagesNeeded } from '../plan/images.js';
import { lessonNetwork } from '../plan/network.js';
import { verifyLesson, type VerifyOptions } from '../pipeline/verify-lesson.js';
import { ConsoleReporter } from '../report/console.js';
import type { EngineChoice } from '../types.js';
import { lessonName, loadLesson, resolveLesson } from './lessons.js';

/** Editors save in bursts (a temp file, a rename, a chmod): one save, one run. */
const DEBOUNCE_MS = 100;

export type WatchOptions = Omit<VerifyOptions, 'engine'> & { engine: EngineChoice };

/**
 * `lesson run <lesson> --watch`: runs the lesson, then again whenever its page or its snapshot changes,
 * until Ctrl-C. Each run gets a fresh engine, started while the author edits.
 */
export async function watchLesson(reference: string, options: WatchOptions): Promise<never> {
  const page = resolveLesson(reference);
  const engines = new FreshEngines();
  for (;;) {
    const pageRead = read(page);
    const lesson = loadOrReport(page);
    const snapshot = snapshotPath(lesson?.name ?? lessonName(page), options.snapshots);
    if (lesson) {
      // An engine started ahead has no image registries and no way out: a lesson that pulls, or that asks
      // for outbound network, starts its own.
      const needsEngine = lesson.requires.includes('docker') && options.engine === 'private' && imagesNeeded(lesson).length === 0 && lessonNetwork(lesson, options.network) === 'none';
      if (!needsEngine) engines.dropNext();
      const engine = needsEngine ? engines.take() : undefined;
      try {
        await verifyLesson(lesson, { ...options, engine: engine ?? options.engine }, new ConsoleReporter());
      } catch (error) {
        if (!(error instanceof InputError)) {
          await engines.close();
          throw error;
        }
        report(error);
      } finally {
        if (engine) engines.retire(engine);
      }
    }
    // The page as this run read it, the snapshot as this run left it: the run's own write is not a change.
    const seen = new Map([[page, pageRead], [snapshot, read(snapshot)]]);
    process.stdout.write(pc.dim(`watching ${page} and ${snapshot}; Ctrl-C stops\n`));
    const changed = await nextChange(seen);
    process.stdout.write(pc.bold(`\n${changed.join(' and ')} changed: running again\n`));
  }
}

function loadOrReport(page: string): Lesson | undefined {
  try {
    return loadLesson(page);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    report(error);
    return undefined;
  }
}

// The author is in the middle of an edit: say what is wrong and wait for the next save.
function report(error: InputError): void {
  process.stderr.write(`${pc.red('error')} ${error.describe()}\n`);
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Resolves with the files whose content differs from `seen`, as soon as one does (at once if one already does). */
function nextChange(seen: Map<string, string | undefined>): Promise<string[]> {
  return new Promise((resolve) => {
    const watchers: FSWatcher[] = [];
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      const changed = [...seen].filter(([file, content]) => read(file) !== content).map(([file]) => file);
      if (changed.length === 0) return;
      for (const watcher of watchers) watcher.close();
      resolve(changed);
    };
    // Folders, not files: an editor that saves by renaming a new file over the old one would leave a
    // watch on the old file looking at nothing.
    for (const dir of new Set([...seen.keys()].map(dirname))) {
      const names = new Set([...seen.keys()].filter((file) => dirname(file) === dir).map((file) => basename(file)));
      try {
        watchers.push(
          watch(dir, (_, name) => {
            if (name !== null && !names.has(name)) return;
            clearTimeout(timer);
            timer = setTimeout(check, DEBOUNCE_MS);
          }),
        );
      } catch {
        // No snapshots folder yet: the page alone is watched until a run writes one.
      }
    }
    check();
  });
}
