// Taking a private engine down so that nothing is left: no process, mount, cgroup or folder. A dockerd
// that dies (or is stopped with containers running) leaves shims, container processes and overlay mounts
// behind, and then its folder cannot be removed. So the engine is taken down in layers, each one catching
// what the layer before missed.

import { createHash } from 'node:crypto';
import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { interrupted } from './cleanup.js';
import { engineRequest } from './engine-api.js';
import { inspectProcess, processIds, readMounts, readProcStat, type ProcessDetails } from './proc.js';

export interface Footprint {
  root: string;
  /** PATH with the sbin folders, for umount. */
  path: string;
  socket: string;
  /** The --cgroup-parent, where every container process lives. */
  cgroup: string;
  /** The namespace (as /proc/PID/ns/net reads) of dockerd, containerd, the shims and host-network containers. */
  netns?: string;
  /** The sh that started dockerd in the namespace; it reaps dockerd, so it goes last. */
  launcher?: number;
  /** A rootless engine's user namespace: every process of the engine is in it, cgroup or not. */
  userns?: string;
  /** dockerd's and containerd's pids, when their pid files hold another namespace's (rootless). */
  daemons?: () => Promise<[number, number]>;
  /** Removes the folder, when plain removal cannot reach all of it (files of subordinate ids). */
  remove?: () => Promise<void>;
}

const STOP_GRACE_MS = 3000;
const KILL_DEADLINE_MS = 3000;

/** The body of a reply from the engine's API; rejects on errors and non-2xx statuses. */
async function api(socketPath: string, method: string, path: string): Promise<string> {
  const { status, body } = await engineRequest(socketPath, method, path);
  if (status >= 300) throw new Error(`${method} ${path}: ${status} ${body}`);
  return body;
}

// Through the engine, containers go with their mounts, network endpoints and shims, cleanly and fast;
// left to dockerd's own shutdown, each one would get a 10 s stop timeout.
async function removeContainers(socket: string): Promise<void> {
  const containers = JSON.parse(await api(socket, 'GET', '/containers/json?all=1')) as { Id: string }[];
  await Promise.all(containers.map((c) => api(socket, 'DELETE', `/containers/${c.Id}?force=1&v=1`).catch(() => undefined)));
}

// Whole path components only: another engine's folder may share our name as a prefix.
function mentions(arg: string, root: string): boolean {
  return arg === root || arg.includes(`${root}/`);
}

/** Live processes that belong to the engine: they mention its folder, share its namespace or sit in its cgroup. */
async function engineProcesses(fp: Footprint): Promise<ProcessDetails[]> {
  const pids = processIds().filter((pid) => pid !== process.pid);
  const infos = pids.map(inspectProcess);
  return infos.filter((p): p is ProcessDetails => {
    if (!p || p.state === 'Z' || p.state === 'X') return false;
    return (
      p.args.some((arg) => mentions(arg, fp.root)) ||
      (fp.netns !== undefined && p.netns === fp.netns) ||
      (fp.userns !== undefined && p.userns === fp.userns) ||
      p.cgroups.some((path) => path === fp.cgroup || path.startsWith(`${fp.cgroup}/`))
    );
  });
}

export async function isRunning(pid: number, root: string): Promise<boolean> {
  const info = inspectProcess(pid);
  return info !== undefined && info.state !== 'Z' && info.args.some((arg) => mentions(arg, root));
}

export async function readPid(file: string): Promise<number> {
  return Number((await readFile(file, 'utf8').catch(() => '')).trim()) || 0;
}

async function stopDaemon(fp: Footprint): Promise<void> {
  const root = fp.root;
  const [dockerd, containerd] = fp.daemons
    ? await fp.daemons()
    : [await readPid(join(root, 'dockerd.pid')), await readPid(join(root, 'exec', 'containerd', 'containerd.pid'))];
  if (!dockerd || !(await isRunning(dockerd, root))) return;
  process.kill(dockerd, 'SIGTERM');
  // dockerd stops containerd last and then polls for its exit in whole-second sleeps (measured: ~2.5 s
  // of idling); once containerd is gone the graceful part is over and the rest is dead time.
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline && (await isRunning(dockerd, root))) {
    if (containerd && !(await isRunning(containerd, root))) return;
    await sleep(20);
  }
}

// A killed shim cannot remove its socket, which containerd 1.6 puts in the host's /run/containerd/s,
// named after a hash of containerd's address, the namespace and the container id.
async function removeShimSocket(args: string[], root: string): Promise<void> {
  const value = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
  const [namespace, id, address] = [value('-namespace'), value('-id'), value('-address')];
  if (!basename(args[0] ?? '').startsWith('containerd-shim') || !namespace || !id || !address?.startsWith(`${root}/`)) return;
  const hash = createHash('sha256').update(`${address}/${namespace}/${id}`).digest('hex');
  await rm(join('/run/containerd/s', hash), { force: true });
}

// Kills from the leaves up: a process whose parent is still alive gets reaped by it, instead of
// ending as a zombie under an init that may never reap (as in some containers).
function killOrder(p: ProcessDetails, fp: Footprint): number {
  if (p.cgroups.some((path) => path === fp.cgroup || path.startsWith(`${fp.cgroup}/`))) return 0;
  if (fp.userns !== undefined && p.userns === fp.userns) return 0;
  return p.pid === fp.launcher ? 2 : 1;
}

function alive(pid: number): boolean {
  const state = readProcStat(pid)?.state;
  return state !== undefined && state !== 'Z' && state !== 'X';
}

function unreaped(pid: number, parents: Set<number>): boolean {
  const stat = readProcStat(pid);
  return stat?.state === 'Z' && parents.has(stat.ppid);
}

// Everything found is killed, leaves first, each layer watched until it is gone before the next is killed:
// watching those few processes is cheap, a look at every process is not. A SIGKILLed process cannot
// fork, so one more look that finds nobody means nobody is left.
async function killLeftovers(fp: Footprint): Promise<void> {
  const deadline = Date.now() + KILL_DEADLINE_MS;
  for (;;) {
    const left = await engineProcesses(fp);
    if (left.length === 0 || Date.now() > deadline) return;
    for (const order of [0, 1, 2]) {
      const layer = left.filter((p) => killOrder(p, fp) === order);
      for (const p of layer) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await removeShimSocket(p.args, fp.root).catch(() => undefined);
      }
      // A killed process whose parent is killed in a later layer is left to be reaped by it first: once
      // orphaned, it would stay a zombie under an init that may never reap.
      const later = new Set(left.filter((p) => killOrder(p, fp) > order).map((p) => p.pid));
      while (Date.now() < deadline && layer.some((p) => alive(p.pid) || unreaped(p.pid, later))) await sleep(5);
    }
  }
}

async function mountsUnder(root: string): Promise<string[]> {
  const depth = (path: string): number => path.split('/').length;
  return (await readMounts())
    .map((m) => m.point)
    .filter((point) => point === root || point.startsWith(`${root}/`))
    .sort((a, b) => depth(b) - depth(a));
}

async function unmountUnder(root: string, path: string): Promise<void> {
  for (const options of [[], ['--lazy']]) {
    const points = await mountsUnder(root);
    if (points.length === 0) return;
    await execa('umount', [...options, ...points], { reject: false, env: { PATH: path } });
  }
}

async function removeTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await removeTree(join(dir, entry.name));
  await rmdir(dir).catch(() => undefined);
}

// dockerd creates the cgroup parent in every hierarchy and never removes it.
async function removeCgroups(cgroup: string): Promise<void> {
  const hierarchies = (await readMounts()).filter((m) => m.fstype === 'cgroup' || m.fstype === 'cgroup2');
  for (const { point } of hierarchies) await removeTree(join(point, cgroup));
}

async function attempt(step: () => Promise<unknown>): Promise<void> {
  await step().catch(() => undefined);
}

export async function teardown(fp: Footprint): Promise<void> {
  // On Ctrl-C the person waits: the engine is killed outright rather than shut down. Its network namespace
  // and the host's shim sockets go with it, and the layers below catch its mounts, cgroups and folder.
  if (!interrupted()) {
    await attempt(() => removeContainers(fp.socket));
    await attempt(() => stopDaemon(fp));
  }
  await attempt(() => killLeftovers(fp));
  await attempt(() => unmountUnder(fp.root, fp.path));
  await attempt(() => removeCgroups(fp.cgroup));
  // Deleting through a mount that refused to go would delete what it shows, e.g. a bind-mounted user folder.
  if ((await mountsUnder(fp.root).catch(() => ['?'])).length === 0) {
    await attempt(() => (fp.remove ? fp.remove() : rm(fp.root, { recursive: true, force: true, maxRetries: 3 })));
  }
}
