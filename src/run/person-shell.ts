import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { onInterrupt } from './cleanup.js';
import { quote } from './interactive.js';
import { sandboxed } from './sandbox.js';

export interface PersonShellRequest {
  env: NodeJS.ProcessEnv;
  /** Where the shell starts when there is no state to restore. */
  cwd: string;
  /** A bash script restoring the lesson shell's variables, functions and directory (saveShellState). */
  stateFile?: string;
  prompt: string;
  /** What runs bash, e.g. the lesson's sandbox. */
  prefix?: readonly string[];
  /** Where the shell's own settings file goes: a folder the sandbox shows. */
  folder?: string;
}

/**
 * An interactive bash on this process's own terminal, for a person to type in; resolves with its exit
 * status once they leave it. Being interactive, bash puts itself in its own process group and takes the
 * terminal, so a Ctrl-C typed there interrupts the command in the shell, not this process.
 */
export async function openPersonShell(request: PersonShellRequest): Promise<number> {
  // The rc file replaces ~/.bashrc: the shell is the lesson's, as its steps left it, not the user's own.
  // The prompt is set last because Debian's bash reads /etc/bash.bashrc, which sets one, before it.
  const dir = await mkdtemp(join(request.folder ?? tmpdir(), 'lesson-shell-'));
  const unregister = onInterrupt(() => rm(dir, { recursive: true, force: true }));
  const rc = join(dir, 'rc.sh');
  await writeFile(rc, `${request.stateFile ? `source ${quote(request.stateFile)}\n` : ''}PS1=${quote(request.prompt)}\n`);
  try {
    const [program, args] = sandboxed(request.prefix, 'bash', ['--rcfile', rc, '-i']);
    const child = spawn(program, args, { stdio: 'inherit', cwd: request.cwd, env: request.env });
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  } finally {
    unregister();
    await rm(dir, { recursive: true, force: true });
  }
}
