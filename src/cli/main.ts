// The CLI: one command per file (commands/), named in command-names.ts; started by bin.cts.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { EngineUnavailable, InputError } from '../errors.js';
import { exitOnSignals } from '../run/cleanup.js';
import { commandNames, defaultCommand } from './command-names.js';
import { commands } from './commands.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('lesson')
  .description('Run Markdown tutorials for real and check every output against a normalized snapshot.')
  .version(version)
  .exitOverride()
  .showHelpAfterError('(lesson --help lists the commands)');

// A reader that stops early (`lesson plan x | head`) closes the pipe: the rest of the output goes
// nowhere, and the command ends as it would have (a run still tears down what it started).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

exitOnSignals();

// One file per command, in the order of the list: `lesson --help` shows them so.
for (const name of commandNames) commands[name](program.command(name, { isDefault: name === defaultCommand }));
// The config file (lesson.config.yaml) fills in what the command line leaves unset, before any command runs.
program.hook('preAction', async (_, command) => (await import('./config-file.js')).applyConfig(command));

// No top-level await: the bundle is CommonJS, for V8's code cache (see bin.cts). What Node says of a
// top-level await left pending, this says: a command that never finished must not look like a pass.
let finished = false;
program
  .parseAsync()
  .catch((error: unknown) => {
    try {
      process.exitCode = exitCodeFor(error);
    } catch {
      // A bug, or a fault nothing names better (a full disk): said with its stack, never a silent pass.
      process.stderr.write(`${pc.red('error')} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  })
  .finally(() => {
    finished = true;
    // Ends now rather than once the event loop is empty: by then Node would first wait for V8's
    // background compiles of what got hot (8 ms after a 1000-step lesson). The output is flushed first.
    process.stdout.write('', () => process.stderr.write('', () => process.exit()));
  });
process.on('exit', (status) => {
  if (finished || status !== 0) return;
  process.stderr.write(`${pc.red('error')} lesson stopped before its command finished: a bug, please report it\n`);
  process.exitCode = 13;
});

/** 0 passed, 1 a step failed (set by the command) or the run could not go on, 2 bad usage or bad input. */
function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof InputError) {
    process.stderr.write(`${pc.red('error')} ${error.describe()}\n`);
    return 2;
  }
  if (error instanceof EngineUnavailable) {
    process.stderr.write(`${pc.red('error')} ${error.message}\n`);
    return 2;
  }
  // Anything else (an engine that failed to start, with its log's tail) is said here: rethrown, it would
  // never be reported, the exit above coming first, and the command would end with 0.
  process.stderr.write(`${pc.red('error')} ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}
