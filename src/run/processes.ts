// Finding and killing every process a lesson started, including those that left its process group:
// a step's timeout, the end of a run and Ctrl-C must leave nothing running.

import { readdirSync, readFileSync } from 'node:fs';

/**
 * SIGKILLs every process of the session `leader` leads and every descendant of it. The pty's child and
 * the lesson's shell are session leaders, so their session holds everything started in them, even jobs
 * an interactive shell moved to their own process groups (which a kill of the group `-pid` misses);
 * descendants catch those that called setsid. Repeats because a process may fork while its siblings
 * are being killed.
 */
export function killSession(leader: number): void {
  for (let round = 0; round < 10; round++) {
    const all = liveProcesses();
    if (all === undefined) {
      // No /proc (not Linux): the process group is the best we can name.
      signal(-leader);
      return;
    }
    const victims = sessionOf(leader, all);
    if (victims.length === 0) return;
    for (const pid of victims) signal(pid);
  }
}

/**
 * SIGKILLs every process whose environment holds `entry` (`NAME=value`): what a lesson started and then
 * daemonized (`setsid -f`, a double fork) has left its session and its parent, not its environment.
 */
export function killMarked(entry: string): void {
  for (let round = 0; round < 10; round++) {
    const victims = (liveProcesses() ?? []).filter((p) => p.pid !== process.pid && environ(p.pid).includes(entry));
    if (victims.length === 0) return;
    for (const { pid } of victims) signal(pid);
  }
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  group: number;
  session: number;
}

/** Processes in the leader's session or group, or descended from it. */
function sessionOf(leader: number, all: ProcessInfo[]): number[] {
  const chosen = new Set<number>();
  for (const p of all) if (p.session === leader || p.group === leader) chosen.add(p.pid);
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
  return [...chosen];
}

/** Every live (not zombie) process; undefined without /proc. */
function liveProcesses(): ProcessInfo[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  return entries.map(readStat).filter((info): info is ProcessInfo => info !== undefined);
}

function readStat(pid: string): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    return { pid: Number(pid), ppid: Number(fields[1]), group: Number(fields[2]), session: Number(fields[3]) };
  } catch {
    return undefined; // it exited while we looked
  }
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
