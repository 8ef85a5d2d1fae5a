import { lstatSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/**
 * Writes a file step's content at `path`, relative to the shell's current directory, refusing
 * any place outside the lesson's working directory (a `..`, or a symlink that points out).
 */
export function writeLessonFile(workdir: string, cwd: string, path: string, content: string): void {
  const root = realpathSync(workdir);
  const target = resolve(cwd, path);
  const inside = (place: string) => {
    const rel = relative(root, place);
    return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
  };
  const shellOutside = inside(realTarget(cwd) ?? '/') ? '' : ` (the shell is in ${cwd})`;
  const refuse = () => new Error(`refusing to write ${path}: it leads outside the lesson's working directory${shellOutside}`);
  // Checked before creating anything: making folders through a symlink that points out would already write outside.
  if (!inside(realTarget(deepestExisting(dirname(target))) ?? '/')) throw refuse();
  if (exists(target) && !inside(realTarget(target) ?? '/')) throw refuse();
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
}

/** The path itself or its closest ancestor that exists, a dangling symlink included. */
function deepestExisting(path: string): string {
  let place = path;
  while (!exists(place) && dirname(place) !== place) place = dirname(place);
  return place;
}

/** Where a symlink finally leads; undefined when it leads nowhere yet, and so could be made to lead anywhere. */
function realTarget(link: string): string | undefined {
  try {
    return realpathSync(link);
  } catch {
    return undefined;
  }
}

/** Whether anything is there, without following a symlink. */
function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
