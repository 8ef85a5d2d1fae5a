// Finding and killing every process a lesson started, including those that left its process group:
// a step's timeout, the end of a run and Ctrl-C must leave nothing running.

import { existsSync, readdirSync, readFileSync } from 'node:fs';

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
function killUntilNoneNew(victims: (all: ProcessInfo[]) => ProcessInfo[]): void {
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

/** The fields of /proc/PID/stat that we use. */
export interface ProcStat {
  /** R, S, D, Z (zombie), X (dead)... */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** In clock ticks since boot: with the pid, it names one process even once the pid is reused. */
  startTime: string;
}

/** What /proc/PID/stat says of `pid`; undefined when it is gone or there is no /proc. */
export function readProcStat(pid: number): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', ppid: Number(fields[1]), pgrp: Number(fields[2]), session: Number(fields[3]), startTime: fields[19] ?? '' };
}

interface ProcessInfo extends ProcStat {
  pid: number;
}

/** Processes in the leader's session or group, or descended from it. */
function sessionOf(leader: number, all: ProcessInfo[]): ProcessInfo[] {
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

/** Every live (not zombie) process; none without /proc. */
function liveProcesses(): ProcessInfo[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const stat = readProcStat(Number(name));
    return stat && stat.state !== 'Z' ? [{ pid: Number(name), ...stat }] : [];
  });
}

/** `NAME=value` entries of the process's environment. */
function environ(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return []; // gone, or not ours to read
  }
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
