// A registry of async cleanups run on Ctrl-C or SIGTERM, so an interrupted lesson never leaves a private
// engine (a root daemon with mounts) behind. Node's default for these signals is to die at once, which
// would skip every `finally`.

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
/**
 * Only a guard against a cleanup that hangs: cut short, a teardown would leave the engine's processes,
 * mounts and folders behind. A teardown on Ctrl-C takes well under a second on an idle machine.
 */
const BUDGET_MS = 5000;

const cleanups = new Map<() => Promise<void>, number>();
/** Cleanups started since the signal, until they settle. */
const running = new Set<Promise<void>>();
let exiting = false;
let signalled: keyof typeof EXIT_CODES | undefined;

function handle(signal: keyof typeof EXIT_CODES): void {
  // A second Ctrl-C while cleaning up must not cut the teardown short and leak what it was removing.
  if (exiting) return;
  exiting = true;
  signalled = signal;
  for (const cleanup of cleanups.keys()) start(cleanup);
  const budget = new Promise<void>((resolve) => setTimeout(resolve, Math.max(BUDGET_MS, ...cleanups.values())));
  void Promise.race([allSettled(), budget]).then(() => process.exit(EXIT_CODES[signal]));
}

function start(cleanup: () => Promise<void>): void {
  const done = Promise.resolve().then(cleanup).catch(() => undefined);
  running.add(done);
  void done.then(() => running.delete(done));
}

/** Settles once no cleanup runs, including those registered while the first ones ran. */
async function allSettled(): Promise<void> {
  while (running.size > 0) await Promise.all(running);
}

const onSigint = (): void => handle('SIGINT');
const onSigterm = (): void => handle('SIGTERM');

function install(): void {
  if (process.listeners('SIGINT').includes(onSigint)) return;
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
}

// With nothing left to clean, Node's own signal behaviour comes back, so a program that merely imported
// this module still dies on Ctrl-C as usual.
function uninstall(): void {
  if (persistent) return;
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
}

/** The CLI keeps its handlers for its whole life: see exitOnSignals. */
let persistent = false;

/**
 * For the CLI: a signal at any moment, even after its last cleanup ended and before the process is
 * gone, ends it with 130 or 143 as a signal during a run does, rather than by the signal itself.
 */
export function exitOnSignals(): void {
  persistent = true;
  install();
}

/** True once SIGINT/SIGTERM has arrived: the cleanups are running and nothing new may start. */
export function interrupted(): boolean {
  return exiting;
}

/** The signal that interrupted the process, once one has. */
export function interruptedBy(): 'SIGINT' | 'SIGTERM' | undefined {
  return signalled;
}

/**
 * Runs `cleanup` if the process gets SIGINT/SIGTERM; call the returned function once it is no longer
 * needed. `budgetMs` lets the exit wait longer for it: removing what a lesson added to the user's own
 * engine goes through that engine, however slow it is.
 */
export function onInterrupt(cleanup: () => Promise<void>, budgetMs = BUDGET_MS): () => void {
  // Work still going on when the signal came (a failing step, a rebuild) may make something new to
  // clean: it is cleaned at once, and the exit waits for it too.
  if (exiting) {
    start(cleanup);
    return () => undefined;
  }
  cleanups.set(cleanup, budgetMs);
  install();
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0 && !exiting) uninstall();
  };
}
