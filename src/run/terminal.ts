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
import { within } from '../duration.js';

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

/** How a stretch of a session ended: waiting at its prompt for more, or the session is over. */
export interface TerminalTurn {
  /** The screen from the row where this turn began (the first turn: from the top). */
  screen: string;
  state: 'waiting' | 'ended' | 'timeout';
  /** The session's exit status once ended; null when killed by a signal or still waiting. */
  exitCode: number | null;
  durationMs: number;
}

export async function runInTerminal(request: TerminalRequest): Promise<TerminalResult> {
  // Validate key names before starting anything, so a typo is an error rather than a timeout.
  for (const key of request.keys) keySequence(key);
  const session = TerminalSession.open(request);
  try {
    const turn = await session.turn(request.input, request.keys, { timeoutMs: request.timeoutMs, until: 'end' });
    return { exitCode: turn.exitCode, screen: turn.screen, timedOut: turn.state === 'timeout', durationMs: turn.durationMs };
  } finally {
    await session.close();
  }
}

/**
 * A program in a pseudo-terminal, typed into in turns: a lesson whose page goes on typing in the same
 * session after prose or other blocks keeps it open between its steps, as a reader's terminal window.
 */
export class TerminalSession {
  private finished = false;
  private exitSeen = false;
  private onParsed: (() => void) | undefined;
  /** The session waits at its prompt: the last turn ended there, so the next line may be typed at once. */
  private ready = false;
  private turns = 0;
  private readonly exited: Promise<Ending>;
  private readonly unregister: () => void;

  private constructor(
    private readonly child: pty.IPty,
    private readonly term: Terminal,
  ) {
    child.onData((data) => {
      term.write(data, () => this.onParsed?.());
    });
    // The emulator's answers to queries (cursor position, device attributes) go back as if typed.
    term.onData((reply) => {
      if (!this.finished) child.write(reply);
    });
    this.exited = new Promise<Ending>((resolve) =>
      child.onExit((event) => {
        this.exitSeen = true;
        resolve(event);
      }),
    );
    // Ctrl-C while the session is open: the runner's teardown does not know it.
    this.unregister = onInterrupt(async () => killSession(child.pid));
  }

  static open(request: Pick<TerminalRequest, 'command' | 'cwd' | 'env' | 'cols' | 'prefix'>): TerminalSession {
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
    // The buffer API is "proposed" in the headless build and throws without this flag.
    return new TerminalSession(child, new xterm.Terminal({ cols, rows, scrollback: SCROLLBACK, allowProposedApi: true }));
  }

  /** False once the program has exited or was killed. */
  get open(): boolean {
    return !this.finished && !this.exitSeen;
  }

  /**
   * Types `input` and sends `keys`, each after the prompt shows; then waits until the session ends or,
   * with `until: 'prompt'` and no keys, until it waits at its prompt again. Past `timeoutMs` the
   * session is killed.
   */
  async turn(input: string[], keys: string[], options: { timeoutMs: number; until: 'end' | 'prompt' }): Promise<TerminalTurn> {
    const started = performance.now();
    const fromRow = this.turns++ === 0 ? 0 : this.cursorRow();
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Ending>((resolve) => {
      deadline = setTimeout(() => resolve('timeout'), options.timeoutMs);
    });
    const ended = Promise.race([this.exited, timedOut]);
    let state: TerminalTurn['state'] = 'ended';
    let ending: Ending | undefined;
    try {
      await this.drive(input, keys, ended);
      if (options.until === 'prompt' && keys.length === 0 && (this.ready || (await this.waitForPrompt(ended)))) {
        state = 'waiting';
      } else {
        ending = await ended;
        if (ending === 'timeout') {
          state = 'timeout';
          this.kill();
          await within(this.exited, KILL_GRACE_MS);
        }
      }
    } finally {
      clearTimeout(deadline);
      if (state !== 'waiting') this.finish();
    }
    // Write callbacks run in order, so this one fires once everything received before it is on screen.
    await new Promise<void>((resolve) => this.term.write('', resolve));
    return {
      screen: screenText(this.term, fromRow),
      state,
      exitCode: ending === undefined || ending === 'timeout' || ending.signal ? null : ending.exitCode,
      durationMs: Math.round(performance.now() - started),
    };
  }

  /** Kills what is left of the session and frees the emulator; safe to call twice. */
  async close(): Promise<void> {
    this.finish();
    this.term.dispose();
  }

  private async drive(input: string[], keys: string[], ended: Promise<Ending>): Promise<void> {
    for (const line of input) {
      if (!this.ready && !(await this.waitForPrompt(ended))) return;
      this.ready = false;
      this.child.write(`${line}\r`);
    }
    if (keys.length === 0) return;
    if (!this.ready && !(await this.waitForPrompt(ended))) return;
    this.ready = false;
    for (const [index, key] of keys.entries()) {
      if (index > 0 && (await within(ended, KEY_GAP_MS)) !== 'elapsed') return;
      this.child.write(keySequence(key, { applicationCursor: this.term.modes.applicationCursorKeysMode }));
    }
  }

  /** Resolves true once the prompt is shown and output has settled, false if the session ended first. */
  private waitForPrompt(ended: Promise<Ending>): Promise<boolean> {
    // Only output parsed after this call arms the check, never the screen as it is now: until the echo of
    // what we just typed comes back, the previous prompt is still under the cursor.
    let settle: NodeJS.Timeout | undefined;
    const seen = new Promise<boolean>((resolve) => {
      this.onParsed = () => {
        clearTimeout(settle);
        settle = setTimeout(() => {
          if (atPrompt(this.term, prompt)) resolve(true);
        }, SETTLE_MS);
      };
    });
    return Promise.race([seen, ended.then(() => false)]).then((shown) => {
      this.ready = shown;
      return shown;
    }).finally(() => {
      this.onParsed = undefined;
      clearTimeout(settle);
    });
  }

  private cursorRow(): number {
    const buffer = this.term.buffer.active;
    return buffer.baseY + buffer.cursorY;
  }

  private kill(): void {
    killSession(this.child.pid);
  }

  /** The session is over: nothing it started may outlive it. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    // Background children (`cmd &`) outlive the session leader; a step must not leave anything running.
    this.kill();
    this.unregister();
    // Only when the exit went unseen: node-pty closes its side itself on exit, and its destroy() would
    // then SIGHUP a pid that may already belong to another process.
    if (!this.exitSeen) destroy(this.child);
  }
}

function atPrompt(term: Terminal, prompt: RegExp): boolean {
  const buffer = term.buffer.active;
  const line = buffer.getLine(buffer.baseY + buffer.cursorY);
  prompt.lastIndex = 0; // a /g or /y regex would otherwise resume from its previous match
  return prompt.test(line?.translateToString(false, 0, buffer.cursorX) ?? '');
}

/** Joins rows the terminal wrapped, so long lines read the same whatever the width; from row `from` on. */
function screenText(term: Terminal, from = 0): string {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  let first = Math.min(from, buffer.length);
  while (first > 0 && buffer.getLine(first)?.isWrapped) first--;
  for (let y = first; y < buffer.length; y++) {
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

