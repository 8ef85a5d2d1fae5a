import { keySequence } from '../parse/keys.js';
import type { InteractiveStep, SessionInputStep } from '../types.js';
import type { ShellRun, LessonShell } from './lesson-shell.js';
import type { TerminalSession, TerminalTurn } from './terminal.js';

// Shell variables that describe the shell itself rather than the lesson: copying them into the
// terminal's shell would be wrong (its size, its pid) or impossible (read-only).
const ownVariables = 'BASH*|COLUMNS|LINES|SHELLOPTS|PPID|UID|EUID|GROUPS|HIST*|FUNCNAME|PIPESTATUS|RANDOM|SRANDOM|SECONDS|LINENO|EPOCH*|_|__*|DIRSTACK|OPTIND|OPTERR|IFS|PS1|PS2|PS4|SHLVL|TERM|PWD|OLDPWD';

/**
 * Runs an interactive step in a real pseudo-terminal, in the lesson shell's current directory
 * with its variables and functions, as if typed in the same terminal.
 */
export async function runInteractive(step: InteractiveStep, shell: LessonShell, places: Places, timeoutMs: number): Promise<ShellRun> {
  const session = await openTerminal(step, shell, places, timeoutMs);
  try {
    return asRun(await session.turn(step.input, step.keys ?? [], { timeoutMs, until: 'end' }));
  } finally {
    await session.close();
  }
}

/**
 * Runs an interactive step whose session later blocks of the page type into: it stops once the
 * session waits at its prompt, and hands the session back still open (none when it ended).
 */
export async function openInteractive(step: InteractiveStep, shell: LessonShell, places: Places, timeoutMs: number): Promise<ShellRun & { session?: TerminalSession }> {
  const session = await openTerminal(step, shell, places, timeoutMs);
  const turn = await session.turn(step.input, step.keys ?? [], { timeoutMs, until: 'prompt' });
  if (turn.state === 'waiting') return { ...asRun(turn), session };
  await session.close();
  return asRun(turn);
}

/** Types a later block's lines into a session an earlier step left open; it stays open unless they end it. */
export async function continueInteractive(step: SessionInputStep, session: TerminalSession, timeoutMs: number): Promise<ShellRun & { open: boolean }> {
  const turn = await session.turn(step.input, step.keys ?? [], { timeoutMs, until: 'prompt' });
  if (turn.state !== 'waiting') await session.close();
  return { ...asRun(turn), open: turn.state === 'waiting' };
}

type Places = { env: NodeJS.ProcessEnv; statePath: string; workdir: string; prefix?: readonly string[] };

async function openTerminal(step: InteractiveStep, shell: LessonShell, places: Places, timeoutMs: number): Promise<TerminalSession> {
  const { env, statePath } = places;
  await saveShellState(shell, statePath, timeoutMs);
  // The terminal emulator and the pty addon are loaded only by lessons that have interactive steps.
  const { TerminalSession } = await import('./terminal.js');
  // Key names are checked before anything starts, so a typo is an error rather than a timeout.
  for (const key of step.keys ?? []) keySequence(key);
  return TerminalSession.open({
    command: `source ${quote(statePath)} 2>/dev/null; ${step.command}`,
    // The saved state moves it to the shell's directory; should that fail, it is still inside the lesson.
    cwd: places.workdir,
    env: { ...(env as Record<string, string>), TERM: 'xterm' },
    prefix: places.prefix,
  });
}

/** A turn of the terminal as a step's run: a session still waiting at its prompt has done what the page asked (status 0). */
function asRun(turn: TerminalTurn): ShellRun {
  // Blank rows above the first text are the terminal's, not the program's; a final newline makes
  // the screen read like any other step's output in the snapshot.
  const screen = turn.screen.replace(/^\n+/, '');
  const exitCode = turn.state === 'waiting' ? 0 : turn.exitCode;
  return { exitCode, output: screen ? `${screen}\n` : '', timedOut: turn.state === 'timeout', durationMs: turn.durationMs };
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
