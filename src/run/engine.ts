// The Docker engine a lesson talks to. By default every run gets a private dockerd in its own network
// namespace and temp folder, so lessons can create networks, tag images and run containers without
// touching (or depending on) the user's own engine, and two runs never see each other.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdtemp, open, readdir, readFile, readlink, realpath, rm, rmdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { onInterrupt } from './cleanup.js';

export interface Engine {
  kind: 'private' | 'host';
  /** Environment for every process of the lesson: DOCKER_HOST etc. */
  env: Record<string, string>;
  /** Folders whose paths may show up in outputs (data root...), for normalizing; empty for host. */
  root?: string;
  /** client/server versions and the builder the client will use, for the snapshot. */
  describe(): Promise<Record<string, string>>;
  /** Idempotent, safe to call twice and concurrently, never throws; leaves no process, mount or folder behind. */
  stop(): Promise<void>;
}

/** No private engine can be started here; the message says in one line how to fix that. */
export class EngineUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineUnavailable';
  }
}

const START_TIMEOUT_MS = 20_000;
const PING_INTERVAL_MS = 20;

// dockerd, ip and iptables live in sbin, which is often missing from PATH even for root (sudo, su).
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

// Runs inside the new network namespace. fd 3 is a pipe from node that nothing ever writes to: when
// node dies without stopping the engine (SIGKILL, a killed test worker), it reads EOF, and the daemon is
// shut down and its folder removed instead of a root daemon running forever. (Not stdin: node closes a
// child's stdin when the child exits, which would fire this on every normal stop.) The folder is kept
// if anything is still mounted in it: deleting through a mount would delete what it shows. The cgroup
// parent goes too, from wherever cgroupfs is usually mounted.
const LAUNCHER = `
root=$1; shift
ip link set lo up || exit 1
dockerd "$@" 3<&- &
d=$!
{
  read -r _
  kill -TERM "$d"
  while kill -0 "$d"; do sleep 0.2; done
  grep -qF " $root/" /proc/self/mountinfo || rm -rf "$root"
  rmdir /sys/fs/cgroup/*/"\${root##*/}" /sys/fs/cgroup/"\${root##*/}"
} <&3 >/dev/null 2>&1 &
exec 3<&-
wait "$d"
`;

function searchPath(): string {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  return [...dirs, ...SBIN.filter((dir) => !dirs.includes(dir))].join(':');
}

async function findProgram(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(':')) {
    const candidate = join(dir, name);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

async function checkPrerequisites(path: string): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new EngineUnavailable('a private Docker engine needs root (network namespaces, mounts): run as root (e.g. sudo), or use --engine host');
  }
  if (!(await findProgram('dockerd', path))) {
    throw new EngineUnavailable('dockerd not found: install it with `apt-get install docker.io` (or run `bash scripts/setup.sh`)');
  }
  for (const [program, pkg] of [['unshare', 'util-linux'], ['ip', 'iproute2']] as const) {
    if (!(await findProgram(program, path))) {
      throw new EngineUnavailable(`${program} not found: install it with \`apt-get install ${pkg}\` (or run \`bash scripts/setup.sh\`)`);
    }
  }
}

/** Resolves true when the engine's API answers GET /_ping. */
function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function logTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-15).join('\n');
}

// The socket path must fit in sockaddr_un (~107 bytes) with `/exec/containerd/containerd.sock.ttrpc`
// appended, so a long TMPDIR falls back to /tmp.
async function makeRoot(): Promise<string> {
  const base = tmpdir().length <= 40 ? tmpdir() : '/tmp';
  // Mount points in /proc/self/mountinfo are resolved paths; a symlinked TMPDIR would hide our mounts.
  return realpath(await mkdtemp(join(base, 'lesson-')));
}

async function waitUntilReady(socket: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await ping(socket))) {
    // Exit status and pid are read, not listened for: the child may have died before we got here.
    const gone = child.pid === undefined ? 'could not run unshare' : child.exitCode ?? child.signalCode;
    if (gone !== null) throw new Error(`dockerd exited while starting (${gone}):\n${await logTail(logFile)}`);
    if (Date.now() > deadline) throw new Error(`dockerd did not answer within ${START_TIMEOUT_MS / 1000} s:\n${await logTail(logFile)}`);
    await sleep(PING_INTERVAL_MS);
  }
}

async function spawnDaemon(root: string, path: string): Promise<ChildProcess> {
  // Our own config file: the host's /etc/docker/daemon.json could set hosts or a data-root that clash
  // with ours, and without deprecated-key-path dockerd 20.10 writes /etc/docker/key.json on the host.
  await writeFile(join(root, 'daemon.json'), JSON.stringify({ 'deprecated-key-path': join(root, 'key.json') }));
  const args = [
    '--config-file', join(root, 'daemon.json'),
    '--data-root', join(root, 'data'),
    '--exec-root', join(root, 'exec'),
    '--pidfile', join(root, 'dockerd.pid'),
    '--host', `unix://${join(root, 'docker.sock')}`,
    // Teardown finds orphaned container processes by this cgroup; cgroupfs makes the path literal
    // (the systemd driver would demand a "*.slice" name).
    '--cgroup-parent', `/${basename(root)}`,
    '--exec-opt', 'native.cgroupdriver=cgroupfs',
  ];
  const log = await open(join(root, 'dockerd.log'), 'a');
  try {
    const child = spawn('unshare', ['--net', '--', 'sh', '-c', LAUNCHER, 'sh', root, ...args], {
      // Own session: a Ctrl-C in the terminal reaches only us, and we decide how the engine goes down.
      detached: true,
      stdio: ['ignore', log.fd, log.fd, 'pipe'],
      // Nothing of the user's environment (DOCKER_TMPDIR, proxies...) may leak into the private daemon.
      env: { PATH: path },
    });
    child.on('error', () => undefined); // a failed spawn shows as a missing pid in waitUntilReady
    // A forgotten stop() must not keep node alive forever; the launcher's dead-man switch covers that case.
    child.unref();
    (child.stdio[3] as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  } finally {
    await log.close();
  }
}

async function describeDocker(env: Record<string, string | undefined>): Promise<Record<string, string>> {
  const version = await execa('docker', ['version', '--format', '{{json .}}'], { env, reject: false, timeout: 15_000 });
  let parsed: { Client?: { Version?: string }; Server?: { Version?: string } | null } = {};
  try {
    parsed = JSON.parse(version.stdout) as typeof parsed;
  } catch {
    // No docker CLI, or it printed an error instead: reported as unknown below.
  }
  return {
    'docker client': parsed.Client?.Version ?? 'unknown',
    'docker server': parsed.Server?.Version ?? 'unavailable',
    builder: await builderFor(env),
  };
}

// Mirrors the CLI's choice: buildx when the plugin exists, unless DOCKER_BUILDKIT=0 asks for the legacy builder.
async function builderFor(env: Record<string, string | undefined>): Promise<string> {
  // execa runs the CLI with process.env under `env`, so that is what the CLI sees too.
  const buildkit = env.DOCKER_BUILDKIT ?? process.env.DOCKER_BUILDKIT;
  if (buildkit === '0' || buildkit === 'false') return 'legacy';
  const buildx = await execa('docker', ['buildx', 'version'], { env, reject: false, timeout: 15_000 });
  if (buildx.exitCode === 0) return `buildx ${buildx.stdout.split(/\s+/)[1] ?? ''}`.trim();
  return buildkit ? 'none (DOCKER_BUILDKIT is set but buildx is missing)' : 'legacy';
}

// --- Teardown ---------------------------------------------------------------------------------------
// A dockerd that dies (or is stopped with containers running) leaves shims, container processes and
// overlay mounts behind, and then its folder cannot be removed. So the engine is taken down in layers,
// each one catching what the layer before missed.

interface Footprint {
  root: string;
  socket: string;
  /** The --cgroup-parent, where every container process lives. */
  cgroup: string;
  /** The namespace (as /proc/PID/ns/net reads) of dockerd, containerd, the shims and host-network containers. */
  netns?: string;
  /** The sh that started dockerd in the namespace; it reaps dockerd, so it goes last. */
  launcher?: number;
}

const STOP_GRACE_MS = 3000;
const KILL_DEADLINE_MS = 3000;

/** The body of a reply from the engine's API; rejects on errors and non-2xx statuses. */
function api(socketPath: string, method: string, path: string, timeout = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve(body) : reject(new Error(`${method} ${path}: ${res.statusCode} ${body}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeout} ms`)));
    req.on('error', reject);
    req.end();
  });
}

// Through the engine, containers go with their mounts, network endpoints and shims, cleanly and fast;
// left to dockerd's own shutdown, each one would get a 10 s stop timeout.
async function removeContainers(socket: string): Promise<void> {
  const containers = JSON.parse(await api(socket, 'GET', '/containers/json?all=1')) as { Id: string }[];
  await Promise.all(containers.map((c) => api(socket, 'DELETE', `/containers/${c.Id}?force=1&v=1`).catch(() => undefined)));
}

interface ProcessInfo {
  pid: number;
  state: string;
  args: string[];
  cgroups: string[];
  netns?: string;
}

async function inspectProcess(pid: number): Promise<ProcessInfo | undefined> {
  try {
    const [stat, cmdline, cgroup, netns] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
      readFile(`/proc/${pid}/cgroup`, 'utf8'),
      readlink(`/proc/${pid}/ns/net`).catch(() => undefined),
    ]);
    return {
      pid,
      // The command name in parentheses may itself contain spaces and parentheses.
      state: stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3),
      args: cmdline.split('\0').filter(Boolean),
      cgroups: cgroup.split('\n').map((line) => line.split(':').slice(2).join(':')),
      netns,
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

// Whole path components only: another engine's folder may share our name as a prefix.
function mentions(arg: string, root: string): boolean {
  return arg === root || arg.includes(`${root}/`);
}

/** Live processes that belong to the engine: they mention its folder, share its namespace or sit in its cgroup. */
async function engineProcesses(fp: Footprint): Promise<ProcessInfo[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => pid !== process.pid);
  const infos = await Promise.all(pids.map(inspectProcess));
  return infos.filter((p): p is ProcessInfo => {
    if (!p || p.state === 'Z' || p.state === 'X') return false;
    return (
      p.args.some((arg) => mentions(arg, fp.root)) ||
      (fp.netns !== undefined && p.netns === fp.netns) ||
      p.cgroups.some((path) => path === fp.cgroup || path.startsWith(`${fp.cgroup}/`))
    );
  });
}

async function isRunning(pid: number, root: string): Promise<boolean> {
  const info = await inspectProcess(pid);
  return info !== undefined && info.state !== 'Z' && info.args.some((arg) => mentions(arg, root));
}

async function readPid(file: string): Promise<number> {
  return Number((await readFile(file, 'utf8').catch(() => '')).trim()) || 0;
}

async function stopDaemon(root: string): Promise<void> {
  const dockerd = await readPid(join(root, 'dockerd.pid'));
  if (!dockerd || !(await isRunning(dockerd, root))) return;
  const containerd = await readPid(join(root, 'exec', 'containerd', 'containerd.pid'));
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
function killOrder(p: ProcessInfo, fp: Footprint): number {
  if (p.cgroups.some((path) => path === fp.cgroup || path.startsWith(`${fp.cgroup}/`))) return 0;
  return p.pid === fp.launcher ? 2 : 1;
}

async function killLeftovers(fp: Footprint): Promise<void> {
  const deadline = Date.now() + KILL_DEADLINE_MS;
  for (;;) {
    const left = await engineProcesses(fp);
    if (left.length === 0 || Date.now() > deadline) return;
    const first = Math.min(...left.map((p) => killOrder(p, fp)));
    for (const p of left.filter((q) => killOrder(q, fp) === first)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await removeShimSocket(p.args, fp.root).catch(() => undefined);
    }
    await sleep(20);
  }
}

interface Mount {
  point: string;
  fstype: string;
}

async function readMounts(): Promise<Mount[]> {
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

async function mountsUnder(root: string): Promise<string[]> {
  const depth = (path: string): number => path.split('/').length;
  return (await readMounts())
    .map((m) => m.point)
    .filter((point) => point === root || point.startsWith(`${root}/`))
    .sort((a, b) => depth(b) - depth(a));
}

async function unmountUnder(root: string): Promise<void> {
  for (const options of [[], ['--lazy']]) {
    const points = await mountsUnder(root);
    if (points.length === 0) return;
    await execa('umount', [...options, ...points], { reject: false, env: { PATH: searchPath() } });
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

async function teardown(fp: Footprint): Promise<void> {
  await attempt(() => removeContainers(fp.socket));
  await attempt(() => stopDaemon(fp.root));
  await attempt(() => killLeftovers(fp));
  await attempt(() => unmountUnder(fp.root));
  await attempt(() => removeCgroups(fp.cgroup));
  // Deleting through a mount that refused to go would delete what it shows, e.g. a bind-mounted user folder.
  if ((await mountsUnder(fp.root).catch(() => ['?'])).length === 0) {
    await attempt(() => rm(fp.root, { recursive: true, force: true, maxRetries: 3 }));
  }
}

/** Starts a fresh dockerd of our own, in its own network namespace and temp folder. */
export async function startPrivateEngine(): Promise<Engine> {
  const path = searchPath();
  await checkPrerequisites(path);
  const root = await makeRoot();
  const footprint: Footprint = { root, cgroup: `/${basename(root)}`, socket: join(root, 'docker.sock') };
  let stopping: Promise<void> | undefined;
  let child: ChildProcess | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= teardown(footprint).finally(() => {
      child?.stdio[3]?.destroy();
      unregister();
    }));
  // Registered before the daemon exists, so a Ctrl-C during start cleans up too.
  const unregister = onInterrupt(stop);
  try {
    child = await spawnDaemon(root, path);
    footprint.launcher = child.pid;
    await waitUntilReady(footprint.socket, child, join(root, 'dockerd.log'));
    footprint.netns = await readlink(`/proc/${child.pid}/ns/net`);
  } catch (error) {
    await stop();
    throw error;
  }
  // An empty DOCKER_TLS_VERIFY turns off TLS that a user's environment might ask for: our socket has none.
  const env = { DOCKER_HOST: `unix://${footprint.socket}`, DOCKER_TLS_VERIFY: '' };
  return { kind: 'private', env, root, describe: () => describeDocker({ ...process.env, ...env }), stop };
}

/** The user's own engine, as their environment (DOCKER_HOST, DOCKER_CONTEXT...) selects it. Never stopped by us. */
export function hostEngine(env: NodeJS.ProcessEnv = process.env): Engine {
  const docker = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[0].startsWith('DOCKER_') && entry[1] !== undefined),
  );
  return { kind: 'host', env: docker, describe: () => describeDocker(env), stop: async () => undefined };
}
