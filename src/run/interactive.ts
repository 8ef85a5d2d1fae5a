import type { InteractiveStep } from '../types.js';
import type { ShellRun, LessonShell } from './lesson-shell.js';

// Shell variables that describe the shell itself rather than the lesson: copying them into the
// terminal's shell would be wrong (its size, its pid) or impossible (read-only).
const ownVariables = 'BASH*|COLUMNS|LINES|SHELLOPTS|PPID|UID|EUID|GROUPS|HIST*|FUNCNAME|PIPESTATUS|RANDOM|SRANDOM|SECONDS|LINENO|EPOCH*|_|__*|DIRSTACK|OPTIND|OPTERR|IFS|PS1|PS2|PS4|SHLVL|TERM|PWD|OLDPWD';

/**
 * Runs an interactive step in a real pseudo-terminal, in the lesson shell's current directory
 * with its variables and functions, as if typed in the same terminal.
 */
export async function runInteractive(step: InteractiveStep, shell: LessonShell, places: { env: NodeJS.ProcessEnv; statePath: string; workdir: string; prefix?: readonly string[] }, timeoutMs: number): Promise<ShellRun> {
  const { env, statePath } = places;
  await saveShellState(shell, statePath, timeoutMs);
  // The terminal emulator and the pty addon are loaded only by lessons that have interactive steps.
  const { runInTerminal } = await import('./terminal.js');
  const run = await runInTerminal({
    command: `source ${quote(statePath)} 2>/dev/null; ${step.command}`,
    // The saved state moves it to the shell's directory; should that fail, it is still inside the lesson.
    cwd: places.workdir,
    env: { ...(env as Record<string, string>), TERM: 'xterm' },
    input: step.input,
    keys: step.keys ?? [],
    timeoutMs,
    prefix: places.prefix,
  });
  // Blank rows above the first text are the terminal's, not the program's; a final newline makes
  // the screen read like any other step's output in the snapshot.
  const screen = run.screen.replace(/^\n+/, '');
  return { exitCode: run.exitCode, output: screen ? `${screen}\n` : '', timedOut: run.timedOut, durationMs: run.durationMs };
}

/** Writes to `statePath` a bash script that gives another shell this one's variables, functions and directory. */
export async function saveShellState(shell: LessonShell, statePath: string, timeoutMs: number): Promise<void> {
  const saved = await shell.run(
    `{ for __v in $(compgen -v); do case $__v in ${ownVariables}) ;; *) declare -p "$__v";; esac; done; declare -f; printf 'cd %q\\n' "$PWD"; } > ${quote(statePath)} 2>/dev/null`,
    timeoutMs,
  );
  if (saved.exitCode !== 0) throw new Error(`could not read the lesson shell's state: ${saved.output.trim()}`);
}

/** `text` as one bash word, whatever it holds. */
export function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
