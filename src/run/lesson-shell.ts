import type { Writable } from 'node:stream';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { killSession } from './kill.js';
import { sandboxed } from './sandbox.js';

export interface ShellRun {
  exitCode: number | null;
  /** stdout and stderr in the order the shell wrote them. */
  output: string;
  timedOut: boolean;
  durationMs: number;
  /** The shell exited while running this command (its `exit`), or could not start: nothing after it can run. */
  endedShell?: boolean;
}

// Commands arrive on fd 3, NUL-terminated, so a step's own stdin can be /dev/null and the
// script cannot be swallowed by a command that reads stdin. Each command runs in this one shell
// (cd and variables carry over); a marker with its status frames where its output ends. A step that
// leaves this loop (`break`, or `continue`, which would skip its marker) ends the shell, as `exit` does.
const loop = (marker: string) => `
exec 2>&1
__lesson_open=0
while { [ "$__lesson_open" = 0 ] || exit; } && IFS= read -r -d '' __lesson_command <&3; do
  __lesson_open=1
  eval "$__lesson_command" </dev/null 3<&-
  printf '\\n${marker} %s\\n' "$?"
  __lesson_open=0
done`;

/** A command written to the shell, waiting for its frame. */
interface Queued {
  timeoutMs: number;
  resolve: (run: ShellRun) => void;
  /** When the shell reached it: the commands before it had finished. */
  started?: number;
  timer?: NodeJS.Timeout;
}

const exited: ShellRun = { exitCode: null, output: "the lesson's shell has exited", timedOut: false, durationMs: 0 };

/**
 * One bash for the whole lesson, as a reader's terminal would be. Commands may be queued ahead:
 * bash reads the next one only when the previous one is done, so a lesson of many quick steps costs
 * one write and a few reads instead of a round trip per step.
 */
export class LessonShell {
  private output = '';
  private readonly queue: Queued[] = [];
  /** Settles when bash has exited, even while something it started still holds its output open. */
  private readonly gone: Promise<void>;
  private readonly frame: string;
  /** Where to resume looking for the frame, so long outputs are scanned once. */
  private searchFrom = 0;
  /** What every command gets once the shell failed to start. */
  private failed?: ShellRun;
  /** Commands gathered by `batch`, written to the shell in one go. */
  private pending?: string[];

  /** The shell's `$0`, which its own error messages start with: `<name>: line 6: figlet: command not found`. */
  private readonly ownMessages: RegExp;

  private constructor(
    private readonly process: ChildProcessByStdio<null, Readable, Readable>,
    marker: string,
    private readonly name: string,
  ) {
    this.frame = `\n${marker} `;
    this.ownMessages = new RegExp(`^${name}: line \\d+: `, 'gm');
    const onData = (chunk: string) => {
      this.output += chunk;
      this.settle();
    };
    // Decoding on the stream keeps a UTF-8 character whole when a chunk splits it.
    process.stdout.setEncoding('utf8').on('data', onData);
    process.stderr.setEncoding('utf8').on('data', onData);
    // A killed shell resets its pipes (ECONNRESET on the one commands go to): not a crash of ours; the
    // 'close' below answers what was waiting.
    for (const stream of [process.stdout, process.stderr, process.stdio[3] as unknown as Writable]) stream.on('error', () => undefined);
    this.gone = new Promise((resolve) => {
      process.once('exit', () => resolve());
      // A shell that could not start (no bash, a missing folder) emits this instead of 'exit'.
      process.once('error', (error) => {
        this.failed = { ...exited, output: error.message, endedShell: true };
        for (const entry of this.queue.splice(0)) {
          clearTimeout(entry.timer);
          entry.resolve(this.failed);
        }
        resolve();
      });
    });
    // Once its output is closed too, the command it was running gets what there was; the rest never ran.
    process.once('close', () => {
      const [head, ...rest] = this.queue.splice(0);
      for (const entry of [head, ...rest]) clearTimeout(entry?.timer);
      head?.resolve({ exitCode: process.exitCode ?? null, output: this.asReaderSees(this.output), timedOut: false, durationMs: elapsed(head), endedShell: true });
      for (const entry of rest) entry.resolve(exited);
      this.output = '';
      this.searchFrom = 0;
    });
  }

  /** `prefix`: what runs the shell, e.g. the sandbox's bwrap and its mounts (sandbox.ts). */
  static start(options: { cwd: string; env: Record<string, string | undefined>; prefix?: readonly string[] }): LessonShell {
    // Only has to be absent from what steps print; node:crypto would cost more to load than a lesson step.
    const marker = `__lesson_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    // A name of its own as `$0`, so that its own messages are told from those of a `bash` a step starts.
    const name = `bash_${Math.random().toString(36).slice(2)}`;
    // node's own spawn, not execa: this one long-lived process is on every lesson's start-up path,
    // and execa's modules cost more to load than the whole shell session costs to run.
    const [program, args] = sandboxed(options.prefix, 'bash', ['--noprofile', '--norc', '-c', loop(marker), name]);
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout kills every process a step started
    });
    return new LessonShell(child as ChildProcessByStdio<null, Readable, Readable>, marker, name);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** False once the shell has exited: a step ran `exit`, or the session was closed. */
  get running(): boolean {
    return !this.failed && this.process.exitCode === null && this.process.signalCode === null;
  }

  /**
   * Runs one command after those already queued, to completion, or kills the whole session when it
   * outlives its timeout (counted from when the shell reaches it).
   */
  run(command: string, timeoutMs: number): Promise<ShellRun> {
    if (!this.running) return Promise.resolve(this.failed ?? exited);
    return new Promise((resolve) => {
      const entry: Queued = { timeoutMs, resolve };
      this.queue.push(entry);
      if (this.pending) this.pending.push(command, '\0');
      else this.input.write(command + '\0');
      if (this.queue.length === 1) this.begin(entry);
    });
  }

  /** Commands queued inside `queue` reach the shell in one write. */
  batch(queue: () => void): void {
    const pending = (this.pending = []);
    try {
      queue();
    } finally {
      this.pending = undefined;
      if (pending.length > 0) this.input.write(pending.join(''));
    }
  }

  private get input(): Writable {
    return this.process.stdio[3] as unknown as Writable;
  }

  /** Kills the shell and every process it started, even those that left its group; safe to call twice. */
  async close(): Promise<void> {
    // Only while it runs: once reaped, its pid may name an unrelated process. (What an exited shell left
    // running, the run's teardown finds by its environment.)
    if (this.process.pid !== undefined && this.running) killSession(this.process.pid);
    await this.gone;
  }

  private begin(entry: Queued): void {
    entry.started = performance.now();
    entry.timer = setTimeout(() => void this.timeout(entry), entry.timeoutMs);
  }

  private async timeout(entry: Queued): Promise<void> {
    const output = this.asReaderSees(this.output);
    const rest = this.queue.splice(0).slice(1);
    for (const queued of rest) clearTimeout(queued.timer);
    await this.close();
    entry.resolve({ exitCode: null, output, timedOut: true, durationMs: elapsed(entry) });
    for (const queued of rest) queued.resolve(exited);
  }

  /**
   * A step's output as a reader's interactive bash prints it: its errors name no line of the runner's
   * loop (`bash: figlet: command not found`), and `$0` is `bash`. A `bash` the step starts keeps its own.
   */
  private asReaderSees(output: string): string {
    if (!output.includes(this.name)) return output;
    return output.replace(this.ownMessages, 'bash: ').replaceAll(this.name, 'bash');
  }

  private settle(): void {
    while (this.queue.length > 0) {
      const start = this.output.indexOf(this.frame, this.searchFrom);
      const end = start < 0 ? -1 : this.output.indexOf('\n', start + this.frame.length);
      if (end < 0) {
        this.searchFrom = Math.max(0, (start < 0 ? this.output.length : start) - this.frame.length);
        return;
      }
      const head = this.queue.shift()!;
      clearTimeout(head.timer);
      const output = this.asReaderSees(this.output.slice(0, start));
      const status = Number(this.output.slice(start + this.frame.length, end));
      this.output = this.output.slice(end + 1);
      this.searchFrom = 0;
      head.resolve({ exitCode: status, output, timedOut: false, durationMs: elapsed(head) });
      if (this.queue[0]) this.begin(this.queue[0]);
    }
  }
}

function elapsed(entry: Queued | undefined): number {
  return entry?.started === undefined ? 0 : performance.now() - entry.started;
}
