// Finding and killing every process a lesson started, including those that left its process group:
// a step's timeout, the end of a run and Ctrl-C must leave nothing running.

import { existsSync } from 'node:fs';
import { environ, liveProcesses, readProcStat, type LiveProcess } from './proc.js';

/**
 * SIGKILLs every process of the session `leader` leads and every descendant of it. The pty's child and
 * the lesson's shell are session leaders, so their session holds everything started in them, even jobs
 * an interactive shell moved to their own process groups (which a kill of the group `-pid` misses);
 * descendants catch those that called setsid.
 */
export function killSession(leader: number): void {
  if (!existsSync('/proc')) {
    // Not Linux: the process group is the best we can name.
    signal(-leader);
    return;
  }
  killUntilNoneNew((all) => sessionOf(leader, all));
}

/** Sends `name` once to every process of the session `leader` leads and its descendants: a chance to end well before killSession. */
export function signalSession(leader: number, name: NodeJS.Signals): void {
  for (const p of sessionOf(leader, liveProcesses())) {
    try {
      process.kill(p.pid, name);
    } catch {
      // already gone
    }
  }
}

/**
 * SIGKILLs every process whose environment holds `entry` (`NAME=value`): what a lesson started and then
 * daemonized (`setsid -f`, a double fork) has left its session and its parent, not its environment.
 */
export function killMarked(entry: string): void {
  // A process older than this one cannot hold an entry this one made up: its environment is not read.
  const since = Number(readProcStat(process.pid)?.startTime ?? 0);
  killUntilNoneNew((all) => all.filter((p) => p.pid !== process.pid && Number(p.startTime) >= since && environ(p.pid).includes(entry)));
}

/**
 * Kills what `victims` picks among the live processes, then looks again for processes it had not
 * picked yet: one may have forked between the look and the kill. A process SIGKILLed cannot fork any
 * more (the kernel refuses a fork with a fatal signal pending), so once a look finds nobody new, nobody
 * is left to come: there is no waiting here for the killed to be reaped.
 */
function killUntilNoneNew(victims: (all: LiveProcess[]) => LiveProcess[]): void {
  const killed = new Set<string>();
  for (let round = 0; round < 10; round++) {
    // The pid with its start time names one process, even once the pid is reused.
    const fresh = victims(liveProcesses()).filter((p) => !killed.has(`${p.pid}@${p.startTime}`));
    if (fresh.length === 0) return;
    for (const p of fresh) {
      signal(p.pid);
      killed.add(`${p.pid}@${p.startTime}`);
    }
  }
}

/** Processes in the leader's session or group, or descended from it. */
function sessionOf(leader: number, all: LiveProcess[]): LiveProcess[] {
  const chosen = new Set<number>();
  for (const p of all) if (p.session === leader || p.pgrp === leader) chosen.add(p.pid);
  // Parents come before children only by luck of pid order, so grow the set until it stops changing.
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!chosen.has(p.pid) && (p.ppid === leader || chosen.has(p.ppid))) {
        chosen.add(p.pid);
        grew = true;
      }
    }
  }
  chosen.delete(process.pid);
  return all.filter((p) => chosen.has(p.pid));
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
