// The one reader of /proc: what the runner learns of processes and mounts, to kill what a lesson
// started and to take an engine down. Everything here answers "nothing" where /proc is missing or a
// process is gone meanwhile.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

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

export interface LiveProcess extends ProcStat {
  pid: number;
}

/** The pids /proc lists now; none without /proc. */
export function processIds(): number[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
}

/** Every live (not zombie) process; none without /proc. */
export function liveProcesses(): LiveProcess[] {
  return processIds().flatMap((pid) => {
    const stat = readProcStat(pid);
    return stat && stat.state !== 'Z' ? [{ pid, ...stat }] : [];
  });
}

/** `NAME=value` entries of the process's environment. */
export function environ(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return []; // gone, or not ours to read
  }
}

/** What teardown reads of a process to tell whether it belongs to an engine. */
export interface ProcessDetails {
  pid: number;
  state: string;
  args: string[];
  cgroups: string[];
  netns?: string;
  /** The user namespace, as /proc/PID/ns/user reads; undefined where it cannot be read. */
  userns?: string;
}

// Read synchronously: a look at every process is a few hundred small reads, which queued on libuv's
// thread pool take several times longer on a loaded machine.
export function inspectProcess(pid: number): ProcessDetails | undefined {
  try {
    const stat = readProcStat(pid);
    if (!stat) return undefined;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    let netns: string | undefined;
    let userns: string | undefined;
    try {
      netns = readlinkSync(`/proc/${pid}/ns/net`);
      userns = readlinkSync(`/proc/${pid}/ns/user`);
    } catch {
      // a kernel thread, not ours to look into, or gone meanwhile
    }
    return {
      pid,
      state: stat.state,
      args: cmdline.split('\0').filter(Boolean),
      cgroups: cgroup.split('\n').map((line) => line.split(':').slice(2).join(':')),
      netns,
      userns,
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

export interface Mount {
  point: string;
  fstype: string;
}

/** The mounts this process sees. */
export async function readMounts(): Promise<Mount[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  // Spaces, tabs, newlines and backslashes in paths are written as octal escapes.
  const decode = (field: string): string => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const fields = line.split(' ');
      return { point: decode(fields[4] ?? ''), fstype: fields[fields.indexOf('-') + 1] ?? '' };
    });
}
