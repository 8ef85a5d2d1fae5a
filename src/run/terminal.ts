// Runs an interactive step the way a learner would: in a real pseudo-terminal, typing at the program's
// prompt, with a terminal emulator in between so that the program's screen handling and terminal queries
// (busybox ash asks for the cursor position after each prompt) behave as in a real terminal window.
import { performance } from 'node:perf_hooks';
import pty from 'node-pty';
import xterm from '@xterm/headless';
import type { Terminal } from '@xterm/headless';
import { onInterrupt } from './cleanup.js';
import { keySequence } from '../parse/keys.js';
import { killSession } from './kill.js';
import { sandboxed } from './sandbox.js';

export interface TerminalRequest {
  /** Run with `bash --noprofile --norc -c command` (or `shell`) in the pty. */
  command: string;
  cwd: string;
  env: Record<string, string>;
  /** Lines typed, each after waiting for the inner prompt. */
  input: string[];
  /** Sent after the input (after waiting for the prompt again), e.g. `['Ctrl+P', 'Ctrl+Q']`. None: the input ends the session. */
  keys: string[];
  timeoutMs: number;
  cols?: number;
  /** What runs bash, e.g. the sandbox's bwrap and its mounts. */
  prefix?: readonly string[];
}

export interface TerminalResult {
  /** null when the process was killed by a signal (ours on timeout, or e.g. Ctrl+C). */
  exitCode: number | null;
  /** Scrollback + screen as text: wrapped rows joined, trailing spaces and trailing blank lines removed. */
  screen: string;
  timedOut: boolean;
  durationMs: number;
}

/** The program waits at a prompt: the cursor's line, up to the cursor, ends with `# `, `$ `, `> `, `% ` or `❯ `. */
const prompt = /[#$>%❯] $/;

/**
 * Output must pause this long before a prompt counts. A prompt-looking line is not proof the program is
 * reading: output arrives in chunks (the rest of the line, or the next line, may be a few ms behind), and
 * ash follows its prompt with a cursor-position query; waiting lets the emulator's answer reach it before
 * our typing does, instead of in the middle of it.
 */
const SETTLE_MS = 40;
/**
 * Pause between keys. Older versions of docker's escape proxy (docker/pkg/term, early moby/term) only
 * recognise a detach key when a read returns that single byte, so Ctrl+P and Ctrl+Q written together would be passed to the
 * container instead of detaching; separate writes a little apart arrive as separate reads.
 */
const KEY_GAP_MS = 50;
/** After SIGKILL, how long to wait for the pty to report the exit before giving up on it. */
const KILL_GRACE_MS = 2000;
const SCROLLBACK = 10_000;

type Ending = { exitCode: number; signal?: number } | 'timeout';

export async function runInTerminal(request: TerminalRequest): Promise<TerminalResult> {
  const started = performance.now();
  // Validate key names before starting anything, so a typo is an error rather than a timeout.
  for (const key of request.keys) keySequence(key);
  const cols = request.cols ?? 100;
  const rows = 30;

  const [program, args] = sandboxed(request.prefix, 'bash', ['--noprofile', '--norc', '-c', request.command]);
  const child = pty.spawn(program, args, {
    name: request.env.TERM ?? 'xterm-256color',
    cols,
    rows,
    cwd: request.cwd,
    env: request.env,
  });
  // Ctrl-C while the step runs: the runner's teardown does not know this session.
  const unregister = onInterrupt(async () => killSession(child.pid));
  // The buffer API is "proposed" in the headless build and throws without this flag.
  const term = new xterm.Terminal({ cols, rows, scrollback: SCROLLBACK, allowProposedApi: true });
  let finished = false;
  let onParsed: (() => void) | undefined;

  child.onData((data) => {
    term.write(data, () => onParsed?.());
  });
  // The emulator's answers to queries (cursor position, device attributes) go back as if typed.
  term.onData((reply) => {
    if (!finished) child.write(reply);
  });

  let exitSeen = false;
  const exited = new Promise<Ending>((resolve) =>
    child.onExit((event) => {
      exitSeen = true;
      resolve(event);
    }),
  );
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Ending>((resolve) => {
    deadline = setTimeout(() => resolve('timeout'), request.timeoutMs);
  });
  const ended = Promise.race([exited, timedOut]);

  /** Resolves true once the prompt is shown and output has settled, false if the session ended first. */
  function waitForPrompt(): Promise<boolean> {
    // Only output parsed after this call arms the check, never the screen as it is now: until the echo of
    // what we just typed comes back, the previous prompt is still under the cursor.
    let settle: NodeJS.Timeout | undefined;
    const seen = new Promise<boolean>((resolve) => {
      onParsed = () => {
        clearTimeout(settle);
        settle = setTimeout(() => {
          if (atPrompt(term, prompt)) resolve(true);
        }, SETTLE_MS);
      };
    });
    return Promise.race([seen, ended.then(() => false)]).finally(() => {
      onParsed = undefined;
      clearTimeout(settle);
    });
  }

  async function drive(): Promise<void> {
    for (const line of request.input) {
      if (!(await waitForPrompt())) return;
      child.write(`${line}\r`);
    }
    if (request.keys.length === 0) return;
    if (!(await waitForPrompt())) return;
    for (const [index, key] of request.keys.entries()) {
      if (index > 0 && (await within(ended, KEY_GAP_MS)) !== 'elapsed') return;
      child.write(keySequence(key, { applicationCursor: term.modes.applicationCursorKeysMode }));
    }
  }

  let ending: Ending = 'timeout';
  try {
    await drive();
    ending = await ended;
    if (ending === 'timeout') {
      killSession(child.pid);
      await within(exited, KILL_GRACE_MS);
    }
  } finally {
    finished = true;
    clearTimeout(deadline);
    // Background children (`cmd &`) outlive the session leader; a step must not leave anything running.
    killSession(child.pid);
    unregister();
    // Only when the exit went unseen: node-pty closes its side itself on exit, and its destroy() would
    // then SIGHUP a pid that may already belong to another process.
    if (!exitSeen) destroy(child);
  }
  try {
    // Write callbacks run in order, so this one fires once everything received before it is on screen.
    await new Promise<void>((resolve) => term.write('', resolve));
    return {
      exitCode: ending === 'timeout' || ending.signal ? null : ending.exitCode,
      screen: screenText(term),
      timedOut: ending === 'timeout',
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    term.dispose();
  }
}

function atPrompt(term: Terminal, prompt: RegExp): boolean {
  const buffer = term.buffer.active;
  const line = buffer.getLine(buffer.baseY + buffer.cursorY);
  prompt.lastIndex = 0; // a /g or /y regex would otherwise resume from its previous match
  return prompt.test(line?.translateToString(false, 0, buffer.cursorX) ?? '');
}

/** Joins rows the terminal wrapped, so long lines read the same whatever the width. */
function screenText(term: Terminal): string {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < buffer.length; y++) {
    const line = buffer.getLine(y);
    if (!line) continue;
    const continues = buffer.getLine(y + 1)?.isWrapped ?? false;
    // A row that wraps is full width: keep its trailing spaces, they are part of the sentence.
    const text = line.translateToString(!continues);
    if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  const trimmed = lines.map((line) => line.trimEnd());
  while (trimmed.length > 0 && trimmed[trimmed.length - 1] === '') trimmed.pop();
  return trimmed.join('\n');
}

/** Closes our side of the pty; `destroy` exists on Unix but is missing from IPty's typings. */
function destroy(child: pty.IPty): void {
  (child as pty.IPty & { destroy?: () => void }).destroy?.();
}

/** `promise`'s value, or 'elapsed' if `ms` pass first; the timer goes either way, so it never keeps node alive. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'elapsed'> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<'elapsed'>((resolve) => (timer = setTimeout(resolve, ms, 'elapsed')));
  try {
    return await Promise.race([promise, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
