// Two processes recording the same snapshot would each write it whole (writes are atomic), but the last
// one would silently drop what the first recorded. A lock file beside the snapshot makes the second one
// refuse, naming the process that holds it. A lock left by a process that died (SIGKILL, a power cut) is
// recognised by that process being gone, and taken over. (Two processes taking over one stale lock in
// the same microseconds could both win: this guards people's runs, it is not a consensus protocol.)

import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readProcStat } from '../run/proc.js';
import { InputError } from '../errors.js';

/** Locks this process holds, with how many holders each has: a write inside a recording run must not lock itself out. */
const held = new Map<string, number>();
let releasedOnExit = false;

/**
 * Takes the lock of `snapshotFile` and returns its release, or throws an InputError naming the lock and
 * the pid holding it. Also released when the process exits, so an error or a Ctrl-C never leaves it behind.
 */
export function lockSnapshot(snapshotFile: string): () => void {
  const lock = `${snapshotFile}.lock`;
  if (!held.has(lock)) acquire(lock);
  held.set(lock, (held.get(lock) ?? 0) + 1);
  if (!releasedOnExit) process.on('exit', releaseAll);
  releasedOnExit = true;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const holders = held.get(lock)! - 1;
    if (holders > 0) {
      held.set(lock, holders);
    } else {
      held.delete(lock);
      removeQuietly(lock);
    }
  };
}

function acquire(lock: string): void {
  // Written aside and linked into place: the lock never exists without the pid in it, so one being
  // created cannot be mistaken for a stale one.
  const temp = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(dirname(lock), { recursive: true });
    writeFileSync(temp, identity(process.pid));
    // A few tries: another process may take a stale lock over at the same moment as this one.
    for (let attempt = 1; ; attempt++) {
      try {
        linkSync(temp, lock);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = readHolder(lock);
        if (alive(holder) || attempt === 3) {
          throw new InputError(`the snapshot is locked by another lesson process (pid ${holder.split(' ')[0] || 'unknown'}) recording it; wait for it to end`, lock);
        }
        rmSync(lock, { force: true });
      }
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot lock the snapshot (${(error as Error).message})`, lock);
  } finally {
    removeQuietly(temp);
  }
}

function releaseAll(): void {
  for (const lock of held.keys()) removeQuietly(lock);
  held.clear();
}

/** `PID START`: a pid alone may be reused by an unrelated process once the holder is gone. */
function identity(pid: number): string {
  return `${pid} ${readProcStat(pid)?.startTime ?? ''}`.trim() + '\n';
}

function alive(holder: string): boolean {
  const pid = Number(holder.split(' ')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return identity(pid) === holder;
}

/** What the lock says; empty if it went away meanwhile. */
function readHolder(lock: string): string {
  try {
    return readFileSync(lock, 'utf8');
  } catch {
    return '';
  }
}

// A folder that turned read-only keeps the lock; the next run finds its process gone and takes it over.
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // left for the next run to take over
  }
}
