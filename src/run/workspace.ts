import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folders of one run: removed whole at its end. */
export interface Workspace {
  /** The run's own folder, under the temp folder. */
  root: string;
  /** Where the lesson's shell starts: the `ls` of the lesson's first step lists this. */
  workdir: string;
  /** Where the lesson shell's variables, functions and directory are saved for a terminal or a person. */
  statePath: string;
}

/**
 * Lays out a run's folders. The working directory is a folder of its own inside the run's folder, so
 * the runner's own files (the shell's saved state) never show up in a lesson's `ls`.
 */
export function makeWorkspace(lessonName: string): Workspace {
  const root = realpathSync(mkdtempSync(join(tmpdir(), `lesson-${lessonName}-`)));
  const workdir = join(root, 'work');
  mkdirSync(workdir);
  return { root, workdir, statePath: join(root, 'shell-state.sh') };
}

export function removeWorkspace(workspace: Workspace): void {
  rmSync(workspace.root, { recursive: true, force: true });
}
