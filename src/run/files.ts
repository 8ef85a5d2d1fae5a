import { lstatSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/**
 * Writes a file step's content at `path`, relative to the shell's current directory, refusing
 * any place outside the lesson's working directory (a `..`, or a symlink that points out).
 */
export function writeLessonFile(workdir: string, cwd: string, path: string, content: string): void {
  const root = realpathSync(workdir);
  const target = resolve(cwd, path);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const inside = (place: string) => {
    const rel = relative(root, place);
    return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
  };
  if (!inside(realpathSync(parent)) || (isSymlink(target) && !inside(realpathSync(target)))) {
    throw new Error(`refusing to write ${path}: it is outside the lesson's working directory`);
  }
  writeFileSync(target, content);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
