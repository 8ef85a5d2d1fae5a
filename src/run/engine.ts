// The Docker engine a lesson talks to. By default every run gets a private dockerd in its own network
// namespace and temp folder, so lessons can create networks, tag images and run containers without
// touching (or depending on) the user's own engine, and two runs never see each other.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, open, readFile, readlink, realpath, writeFile } from 'node:fs/promises';
import { homedir, constants as osConstants, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { EngineUnavailable } from '../errors.js';
import type { EngineChoice, NetworkChoice } from '../types.js';
import { detectBuilder } from './builder.js';
import { interrupted, onInterrupt } from './cleanup.js';
import { findProgram } from './find-program.js';
import { engineRequest } from './engine-api.js';
import { isRunning, readPid, teardown, type Footprint } from './engine-teardown.js';
import type { EngineImageOptions, EngineImageReport, EngineImages } from './engine-images.js';
import { rootlessMissing, runsRootless } from './rootless.js';
import { rootlessDaemonArgs, rootlessFootprint, rootlessLaunch } from './rootless-engine.js';
import { attachOutbound, outboundUnavailable, resolvConf, type Outbound } from './outbound.js';

export interface Engine {
  kind: EngineChoice;
  /** Environment for every process of the lesson: DOCKER_HOST etc. */
  env: Record<string, string>;
  /** Folders whose paths may show up in outputs (data root...), for normalizing; empty for host. */
  root?: string;
  /** client/server versions and the builder the client will use, for the snapshot. */
  describe(): Promise<Record<string, string>>;
  /** Idempotent, safe to call twice and concurrently, never throws; leaves no process, mount or folder behind. */
  stop(): Promise<void>;
  /**
   * Settles, saying what happened, if the engine goes down by itself (it crashed, something killed it)
   * rather than through stop(). Never settles for the host engine, which is not ours to watch.
   */
  lost: Promise<string>;
  /** Whether the engine is up now: a step failing because it died can end before `lost` settles. */
  isUp(): Promise<boolean>;
  /** A private engine pulling through the image registries: what its images went through. */
  images?: EngineImageReport;
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
// parent goes too, from wherever cgroupfs is usually mounted. With outbound network (outbound.ts) it
// runs in a mount namespace of its own too, where RESOLV covers /etc/resolv.conf for dockerd alone.
const LAUNCHER = `
root=$1; shift
ip link set lo up || exit 1
if [ -n "$RESOLV" ]; then mount --bind "$RESOLV" /etc/resolv.conf || exit 1; fi
resolv=$RESOLV; unset RESOLV
dockerd "$@" 3<&- &
d=$!
{
  read -r _
  kill -TERM "$d"
  while kill -0 "$d"; do sleep 0.2; done
  [ -z "$resolv" ] || umount /etc/resolv.conf
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

/** The busybox the alpine stand-in is built from (see base-image.ts). */
export const BUSYBOX = '/bin/busybox';

// A dynamically linked busybox (Debian's `busybox` package) cannot run in an image without libc;
// only the static one works. An ELF file with a PT_INTERP program header asks for a dynamic loader.
async function isStatic(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(64);
    await handle.read(header, 0, 64, 0);
    // Only 64-bit little-endian ELF is inspected; anything else gets the benefit of the doubt.
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) return true;
    const offset = Number(header.readBigUInt64LE(0x20));
    const size = header.readUInt16LE(0x36);
    const count = header.readUInt16LE(0x38);
    const table = Buffer.alloc(size * count);
    await handle.read(table, 0, table.length, offset);
    for (let i = 0; i < count; i++) if (table.readUInt32LE(i * size) === 3) return false;
    return true;
  } finally {
    await handle.close();
  }
}

/** Why `file` cannot serve as the stand-in's busybox, in one line, or undefined when it can. */
export async function busyboxUnusable(file = BUSYBOX): Promise<string | undefined> {
  const fix = 'install it with `apt-get install busybox-static` (or run `bash scripts/setup.sh`)';
  const usable = await isStatic(file).catch(() => undefined);
  if (usable === undefined) return `no static ${file} for the alpine stand-in: ${fix}`;
  return usable ? undefined : `${file} is dynamically linked and cannot serve as the alpine stand-in: ${fix}`;
}

async function checkPrerequisites(path: string): Promise<void> {
  // Not root: a rootless engine (rootless-engine.ts), when this user has what it takes.
  if (runsRootless()) {
    const missing = await rootlessMissing(path);
    if (missing.length > 0) {
      throw new EngineUnavailable(`a private Docker engine needs root, or for a rootless one: ${missing.join('; ')}; or use --engine host`);
    }
  }
  if (!(await findProgram('dockerd', path))) {
    throw new EngineUnavailable('dockerd not found: install it with `apt-get install docker.io` (or run `bash scripts/setup.sh`)');
  }
  for (const [program, pkg] of [['unshare', 'util-linux'], ['ip', 'iproute2']] as const) {
    if (!(await findProgram(program, path))) {
      throw new EngineUnavailable(`${program} not found: install it with \`apt-get install ${pkg}\` (or run \`bash scripts/setup.sh\`)`);
    }
  }
  const busybox = await busyboxUnusable();
  if (busybox) throw new EngineUnavailable(busybox);
}

/** Why no private engine can be started here (not root, no dockerd...), or undefined when one can. */
export async function privateEngineUnavailable(): Promise<string | undefined> {
  return checkPrerequisites(searchPath()).then(
    () => undefined,
    (error: Error) => error.message,
  );
}

/** Resolves true when the engine's API answers GET /_ping. */
function ping(socketPath: string): Promise<boolean> {
  return engineRequest(socketPath, 'GET', '/_ping', 1000).then(
    (reply) => reply.status === 200,
    () => false,
  );
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
    if (interrupted()) throw new Error('interrupted while the engine started');
    await sleep(PING_INTERVAL_MS);
  }
}

async function spawnDaemon(root: string, path: string, extraArgs: string[] = [], rootless = false, resolv?: string): Promise<ChildProcess> {
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
    // (the systemd driver would demand a "*.slice" name). Rootless, by the user namespace instead.
    ...(rootless ? await rootlessDaemonArgs(path) : ['--cgroup-parent', `/${basename(root)}`, '--exec-opt', 'native.cgroupdriver=cgroupfs']),
    ...extraArgs,
  ];
  // With a resolv.conf of its own, a mount namespace too; slave propagation: the host's later mounts show
  // inside, the engine's never show on the host.
  const launch = rootless
    ? await rootlessLaunch(root, path, args)
    : { command: 'unshare', args: [...(resolv ? ['--net', '--mount', '--propagation', 'slave'] : ['--net']), '--', 'sh', '-c', LAUNCHER, 'sh', root, ...args], env: { PATH: path } };
  const log = await open(join(root, 'dockerd.log'), 'a');
  try {
    const child = spawn(launch.command, launch.args, {
      // Own session: a Ctrl-C in the terminal reaches only us, and we decide how the engine goes down.
      detached: true,
      stdio: ['ignore', log.fd, log.fd, 'pipe'],
      // Nothing of the user's environment (DOCKER_TMPDIR, proxies...) may leak into the private daemon.
      env: { ...launch.env, ...(resolv && { RESOLV: resolv }) },
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

// Mirrors the CLI's choice, from its version and plugins (builder.ts).
async function builderFor(env: Record<string, string | undefined>): Promise<string> {
  // execa runs the CLI with process.env under `env`, so that is what the CLI sees too.
  return detectBuilder({ ...process.env, ...env });
}

/**
 * Starts a fresh dockerd of our own, in its own network namespace and temp folder; with `images`, it
 * pulls through the image registries (engine-images.ts); with `network: 'outbound'`, it and its
 * containers reach the outside through slirp4netns (outbound.ts).
 */
export async function startPrivateEngine(options: { images?: EngineImageOptions; network?: NetworkChoice } = {}): Promise<Engine> {
  const path = searchPath();
  await checkPrerequisites(path);
  const rootless = runsRootless();
  const outbound = options.network === 'outbound';
  // A rootless engine's namespace belongs to the user's user namespace, which slirp4netns would have to enter; not done yet.
  if (outbound && rootless) throw new EngineUnavailable('network: outbound needs a private engine started as root: a rootless engine gets no way out yet (run lesson as root, or with --network none)');
  const noWayOut = outbound ? await outboundUnavailable(path) : undefined;
  if (noWayOut) throw new EngineUnavailable(noWayOut);
  const root = await makeRoot();
  const footprint: Footprint & { dockerd?: number } = { root, path, cgroup: `/${basename(root)}`, socket: join(root, 'docker.sock') };
  let stopping: Promise<void> | undefined;
  let child: ChildProcess | undefined;
  let images: EngineImages | undefined;
  let slirp: Outbound | undefined;
  let markLost: (reason: string) => void = () => undefined;
  const lost = new Promise<string>((resolve) => (markLost = resolve));
  let startEnded: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (startEnded = resolve));
  // A teardown racing the start could remove the folder before dockerd is even spawned into it: it waits
  // for the start to end, which a Ctrl-C makes quick.
  const stop = (): Promise<void> =>
    (stopping ??= started.then(() => Promise.all([images?.release(), slirp?.release()])).then(() => teardown(footprint)).finally(() => {
      child?.stdio[3]?.destroy();
      unregister();
    }));
  // Registered before the daemon exists, so a Ctrl-C during start cleans up too.
  const unregister = onInterrupt(stop);
  try {
    if (interrupted()) throw new Error('interrupted before the engine started');
    const wanted = options.images;
    if (wanted) images = await import('./engine-images.js').then((m) => m.prepareEngineImages(wanted));
    const resolv = outbound ? join(root, 'resolv.conf') : undefined;
    if (resolv) await writeFile(resolv, resolvConf());
    child = await spawnDaemon(root, path, images?.dockerdArgs, rootless, resolv);
    // The launcher's `wait` returns when dockerd exits; before any stop() that is the engine dying.
    child.once('exit', (code, signal) => {
      if (!stopping) markLost(daemonExit(code, signal));
    });
    footprint.launcher = child.pid;
    await waitUntilReady(footprint.socket, child, join(root, 'dockerd.log'));
    if (rootless) Object.assign(footprint, await rootlessFootprint(root, path));
    else footprint.netns = await readlink(`/proc/${child.pid}/ns/net`);
    await images?.attach(footprint.dockerd ?? child.pid ?? 0, rootless);
    if (outbound) slirp = await attachOutbound(child.pid ?? 0, root, path);
  } catch (error) {
    startEnded();
    await stop();
    throw error;
  }
  startEnded();
  // An empty DOCKER_TLS_VERIFY turns off TLS that a user's environment might ask for: our socket has none.
  const env = { DOCKER_HOST: `unix://${footprint.socket}`, DOCKER_TLS_VERIFY: '' };
  const dockerd = footprint.dockerd ?? (await readPid(join(root, 'dockerd.pid')));
  const launcher = child;
  const isUp = async () => (dockerd ? isRunning(dockerd, root) : launcher.exitCode === null && launcher.signalCode === null);
  // A rootless engine prints other layer sizes (no native overlay diff in a user namespace): its own variant.
  const describe = async () => ({ ...(await describeDocker({ ...process.env, ...env })), ...(rootless && { 'engine mode': 'rootless' }) });
  return { kind: 'private', env, root, describe, stop, lost, isUp, ...(images && { images: images.report }) };
}

/** The launcher exits with dockerd's status; a shell reports death by signal N as 128 + N. */
function daemonExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `its launcher was killed by ${signal}`;
  const name = Object.entries(osConstants.signals).find(([, number]) => number === (code ?? 0) - 128)?.[0];
  return name ? `dockerd was killed by ${name}` : `dockerd exited with status ${code}`;
}

/** The user's own engine, as their environment (DOCKER_HOST, DOCKER_CONTEXT...) selects it. Never stopped by us. */
export function hostEngine(env: NodeJS.ProcessEnv = process.env): Engine {
  const docker = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[0].startsWith('DOCKER_') && entry[1] !== undefined),
  );
  // Named, the CLI's own default lets the run ask the engine for its containers' names directly. Not
  // when a context (the variable, or `docker context use` in the config) may pick another engine.
  if (!docker.DOCKER_HOST && !docker.DOCKER_CONTEXT && (currentContext(env) ?? 'default') === 'default') {
    docker.DOCKER_HOST = 'unix:///var/run/docker.sock';
  }
  return {
    kind: 'host',
    env: docker,
    describe: async () => ({ ...(await describeDocker(env)), 'engine mode': 'host' }),
    stop: async () => undefined,
    lost: new Promise(() => undefined),
    isUp: async () => true,
  };
}

/** The context `docker context use` chose, from the CLI's config file. */
function currentContext(env: NodeJS.ProcessEnv): string | undefined {
  const config = join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
  try {
    return (JSON.parse(readFileSync(config, 'utf8')) as { currentContext?: string }).currentContext;
  } catch {
    return undefined;
  }
}
