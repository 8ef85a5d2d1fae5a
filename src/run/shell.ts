import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { execa, type ResultPromise } from 'execa';

export interface ShellRun {
  exitCode: number | null;
  /** stdout and stderr in the order the shell wrote them. */
  output: string;
  timedOut: boolean;
  durationMs: number;
}

// Commands arrive on fd 3, NUL-terminated, so a step's own stdin can be /dev/null and the
// script cannot be swallowed by a command that reads stdin. Each command runs in this one shell
// (cd and variables carry over); a marker with its status frames where its output ends.
const loop = (marker: string) => `
exec 2>&1
while IFS= read -r -d '' __lesson_command <&3; do
  eval "$__lesson_command" </dev/null 3<&-
  printf '\\n${marker} %s\\n' "$?"
done`;

/** One bash for the whole lesson, as a reader's terminal would be. */
export class ShellSession {
  private output = '';
  private pending?: { resolve: (run: { status: number | null; output: string }) => void };
  private exited: Promise<void>;
  private readonly frame: string;
  /** Where to resume looking for the frame, so long outputs are scanned once. */
  private searchFrom = 0;

  private constructor(
    private readonly process: ResultPromise<{ stdio: ['ignore', 'pipe', 'pipe', 'pipe']; buffer: false; detached: true; reject: false }>,
    marker: string,
  ) {
    this.frame = `\n${marker} `;
    const onData = (chunk: string) => {
      this.output += chunk;
      this.settle();
    };
    // Decoding on the stream keeps a UTF-8 character whole when a chunk splits it.
    process.stdout.setEncoding('utf8').on('data', onData);
    process.stderr.setEncoding('utf8').on('data', onData);
    this.exited = process.then(() => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve({ status: process.exitCode ?? null, output: this.output });
      this.output = '';
      this.searchFrom = 0;
    });
  }

  static start(options: { cwd: string; env: Record<string, string | undefined> }): ShellSession {
    const marker = `__lesson_${randomBytes(8).toString('hex')}`;
    const child = execa('bash', ['--noprofile', '--norc', '-c', loop(marker)], {
      cwd: options.cwd,
      env: options.env,
      extendEnv: false,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      buffer: false,
      detached: true, // its own process group, so a timeout kills every process a step started
      reject: false,
    });
    return new ShellSession(child, marker);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Runs one command to completion, or kills the whole session at the timeout. */
  async run(command: string, timeoutMs: number): Promise<ShellRun> {
    const started = performance.now();
    if (this.pending) throw new Error('the shell is already running a command');
    if (this.process.exitCode !== null || this.process.signalCode !== null) {
      return { exitCode: null, output: 'the lesson\'s shell has exited', timedOut: false, durationMs: 0 };
    }
    const done = new Promise<{ status: number | null; output: string }>((resolve) => (this.pending = { resolve }));
    (this.process.stdio[3] as unknown as Writable).write(command + '\0');
    this.settle();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const finished = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    if (finished === 'timeout') {
      const output = this.output;
      await this.close();
      return { exitCode: null, output, timedOut: true, durationMs: performance.now() - started };
    }
    return { exitCode: finished.status, output: finished.output, timedOut: false, durationMs: performance.now() - started };
  }

  /** Kills the shell and every process of its group; safe to call twice. */
  async close(): Promise<void> {
    const pid = this.process.pid;
    if (pid !== undefined && this.process.exitCode === null && this.process.signalCode === null) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await this.exited;
  }

  private settle(): void {
    if (!this.pending) return;
    const start = this.output.indexOf(this.frame, this.searchFrom);
    const end = start < 0 ? -1 : this.output.indexOf('\n', start + this.frame.length);
    if (end < 0) {
      this.searchFrom = Math.max(0, (start < 0 ? this.output.length : start) - this.frame.length);
      return;
    }
    const pending = this.pending;
    this.pending = undefined;
    const output = this.output.slice(0, start);
    const status = Number(this.output.slice(start + this.frame.length, end));
    this.output = this.output.slice(end + 1);
    this.searchFrom = 0;
    pending.resolve({ status, output });
  }
}
