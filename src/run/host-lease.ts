// A lesson on the user's own engine takes turns with other lessons on it (each lists the whole
// engine), says at once what it will meet there, and removes at its end, on failure and on Ctrl-C,
// what it added. A run killed outright leaves its list behind: the next run on that engine, or
// `lesson clean`, removes what it made.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheFolder } from './cache-folder.js';
import { interrupted, onInterrupt } from './cleanup.js';
import { removeAdded, takeInventory, type Inventory, namesMet } from './host-inventory.js';
import { readProcStat } from './proc.js';

type Env = Record<string, string | undefined>;

/** How long Ctrl-C waits for the removal from a user's engine before the process exits; the record stays for the next run if it is cut. */
const HOST_REMOVAL_BUDGET_MS = 30_000;

/** What a host run keeps on disk while it runs: who it is, and what the engine held before it. */
interface HostRecord {
  pid: number;
  /** /proc start time of the pid: with it, the pid names one process even once reused. */
  startTime: string;
  engine: string;
  before: Inventory;
}

/** One lock and one record per engine, named by what selects it. */
function files(env: Env) {
  const engine = env.DOCKER_HOST ?? `context ${env.DOCKER_CONTEXT ?? 'current'}`;
  const key = createHash('sha256').update(engine).digest('hex').slice(0, 16);
  const dir = join(cacheFolder(), 'host');
  return { engine, dir, lock: join(dir, `${key}.lock`), record: join(dir, `${key}.json`) };
}

function alive(pid: number, startTime: string): boolean {
  return readProcStat(pid)?.startTime === startTime;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Waits for the engine's lock: another lesson on the same engine runs first. */
async function lock(path: string, note: (text: string) => void): Promise<() => void> {
  const me = { pid: process.pid, startTime: readProcStat(process.pid)?.startTime ?? '' };
  let told = false;
  for (;;) {
    try {
      writeFileSync(path, JSON.stringify(me), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readJson<typeof me>(path);
    if (!holder || !alive(holder.pid, holder.startTime)) {
      rmSync(path, { force: true });
      continue;
    }
    if (!told) note(`waiting for the lesson that runs on this engine now (pid ${holder.pid})`);
    told = true;
    await sleep(200);
  }
}

/** Removes what a run that was killed outright added to the engine, by the list it left. */
async function cleanAfter(record: HostRecord, env: Env, note: (text: string) => void): Promise<void> {
  const problems = await removeAdded(env, record.before);
  note(`removed what an interrupted lesson (pid ${record.pid}) left on this engine${problems.length ? `; not removed: ${problems.join('; ')}` : ''}`);
}

/**
 * Takes the user's engine for one lesson: its turn, the leftovers of a killed run removed, what the
 * engine holds listed. Resolves with the release that removes what the lesson added.
 */
export async function leaseHostEngine(env: Env, commands: string[], note: (text: string) => void): Promise<() => Promise<void>> {
  const { engine, dir, lock: lockPath, record: recordPath } = files(env);
  mkdirSync(dir, { recursive: true });
  const unlock = await lock(lockPath, note);
  try {
    const left = readJson<HostRecord>(recordPath);
    if (left && !alive(left.pid, left.startTime)) await cleanAfter(left, env, note);
    const before = await takeInventory(env);
    const met = namesMet(before, commands);
    if (met.length > 0) note(`this engine already holds what the lesson names: ${met.join(', ')}; it stays, and outputs may differ from a fresh engine's`);
    const record: HostRecord = { pid: process.pid, startTime: readProcStat(process.pid)?.startTime ?? '', engine, before };
    writeFileSync(recordPath, JSON.stringify(record));
    let removal: Promise<void> | undefined;
    const release = () =>
      (removal ??= (async () => {
        try {
          if (interrupted()) note('removing what the lesson added to your engine…');
          const problems = await removeAdded(env, before);
          if (problems.length > 0) note(`not removed from your engine: ${problems.join('; ')}`);
          rmSync(recordPath, { force: true });
        } finally {
          unlock();
          forget();
        }
      })());
    // On Ctrl-C the run's teardown releases the engine too; the exit waits for the removal, not for the
    // usual budget of a private engine's teardown.
    const forget = onInterrupt(release, HOST_REMOVAL_BUDGET_MS);
    return release;
  } catch (error) {
    unlock();
    throw error;
  }
}

/** `lesson clean`: removes what killed runs left on the engine `env` selects; says what it did. */
export async function cleanHostEngine(env: Env, note: (text: string) => void): Promise<void> {
  const { dir, lock: lockPath, record: recordPath } = files(env);
  mkdirSync(dir, { recursive: true });
  const unlock = await lock(lockPath, note);
  try {
    const left = readJson<HostRecord>(recordPath);
    if (!left) return note('nothing to clean: no lesson was interrupted on this engine');
    await cleanAfter(left, env, note);
    rmSync(recordPath, { force: true });
  } finally {
    unlock();
  }
}
