// A private engine for a user who is not root, through rootless Docker's own parts: dockerd-rootless.sh
// runs dockerd under rootlesskit, in a user namespace mapping the user's subordinate ids and a mount
// namespace of its own. Everything of it (socket, data root, exec root, rootlesskit's state, its HOME and
// XDG_RUNTIME_DIR) lives in the run's engine folder, so nothing meets the user's own rootless Docker
// (~/.local/share/docker, $XDG_RUNTIME_DIR/docker.sock).
//
// Two choices differ from rootless Docker's defaults, for a private engine to be what it is as root:
// - No network out. rootlesskit runs with --net=host and dockerd gets a network namespace of its own
//   with only loopback (the `dockerd` found first on PATH is a small script that does that), instead of
//   slirp4netns: no route out, no /dev/net/tun needed, and a page's `-p 8080:80` binds inside it (the
//   plain docker-proxy, not rootlesskit's, which would publish the port on the host).
// - A PID namespace (--pidns): on cgroup v1 rootless containers get no cgroup of their own, so what a
//   run leaves is found by its user namespace instead, and killing the namespace's first process makes
//   the kernel kill every other one in it.

import { chmod, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Footprint } from './engine-teardown.js';
import { findProgram } from './find-program.js';
import { inspectProcess } from './proc.js';
import { removeAnyOwner, rootlessScript } from './rootless.js';

// Like the root launcher (engine.ts), with a pipe on fd 3 as a dead-man switch: when node dies without
// stopping the engine, the namespace's first process is killed (and with it every process in the
// namespace), then the folder goes, through rootlesskit for the files that subordinate ids own.
const LAUNCHER = `
root=$1; shift
"$0" "$@" 3<&- &
d=$!
{
  read -r _
  c=$(cat "$root/rootlesskit/child_pid")
  if [ -n "$c" ] && grep -qaF "$root/" "/proc/$c/cmdline"; then kill -KILL "$c"; else kill -KILL "$d"; fi
  while kill -0 "$d"; do sleep 0.2; done
  rm -rf "$root" || rootlesskit rm -rf "$root"
} <&3 >/dev/null 2>&1 &
exec 3<&-
wait "$d"
`;

/** How to start the rootless engine: the program, its arguments and its whole environment. */
export interface RootlessLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** dockerd's arguments of its own in rootless mode, besides those every private engine gets. */
export async function rootlessDaemonArgs(path: string): Promise<string[]> {
  const proxy = await findProgram('docker-proxy', path);
  return proxy ? ['--userland-proxy-path', proxy] : [];
}

/** Lays out the engine folder's rootless parts and says how to start it; `args` are dockerd's. */
export async function rootlessLaunch(root: string, path: string, args: string[]): Promise<RootlessLaunch> {
  const [script, dockerd] = await Promise.all([rootlessScript(path), findProgram('dockerd', path)]);
  if (!script || !dockerd) throw new Error('dockerd-rootless.sh or dockerd is missing');
  const bin = join(root, 'bin');
  await Promise.all(['bin', 'home', 'run'].map((dir) => mkdir(join(root, dir), { mode: 0o700 })));
  // dockerd-rootless.sh runs `dockerd` from PATH inside rootlesskit's namespaces: this one first gives it
  // its own network namespace, with loopback up.
  await writeFile(join(bin, 'dockerd'), `#!/bin/sh\nexec unshare --net -- sh -c 'ip link set lo up && exec "$0" "$@"' ${dockerd} "$@"\n`);
  await chmod(join(bin, 'dockerd'), 0o755);
  return {
    command: 'sh',
    args: ['-c', LAUNCHER, script, root, ...args],
    env: {
      PATH: `${bin}:${path}`,
      HOME: join(root, 'home'),
      XDG_RUNTIME_DIR: join(root, 'run'),
      DOCKERD_ROOTLESS_ROOTLESSKIT_NET: 'host',
      DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS: `--state-dir=${join(root, 'rootlesskit')} --pidns --port-driver=none`,
    },
  };
}

// Each thread lists the children it forked, and Go programs (rootlesskit, dockerd) fork from any thread.
async function childrenOf(pid: number): Promise<number[]> {
  const threads = await readdir(`/proc/${pid}/task`).catch(() => []);
  const lists = await Promise.all(threads.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '')));
  return lists.join(' ').trim().split(/\s+/).filter(Boolean).map(Number);
}

async function childNamed(pid: number, name: string): Promise<number> {
  for (const child of await childrenOf(pid)) {
    if (inspectProcess(child)?.args[0]?.split('/').at(-1) === name) return child;
  }
  return 0;
}

/**
 * What teardown needs of a rootless engine that answers: its user namespace (every process of the
 * engine is in it), dockerd's pid as the host sees it (the pid file holds the namespace's), the network
 * namespace for the relay, and a removal that reaches files owned by subordinate ids.
 */
export async function rootlessFootprint(root: string, path: string): Promise<Pick<Footprint, 'userns' | 'netns' | 'daemons' | 'remove'> & { dockerd: number }> {
  const init = Number((await readFile(join(root, 'rootlesskit', 'child_pid'), 'utf8')).trim());
  const dockerd = await childNamed(init, 'dockerd');
  if (!dockerd) throw new Error(`no dockerd under rootlesskit's process ${init}`);
  return {
    dockerd,
    userns: await readlink(`/proc/${init}/ns/user`),
    netns: await readlink(`/proc/${dockerd}/ns/net`),
    daemons: async () => [dockerd, await childNamed(dockerd, 'containerd')],
    remove: () => removeAnyOwner(root, path),
  };
}
