// The image registries private engines pull through, one set per machine user: a plain "store" for
// images added by hand, and a pull-through cache per upstream (Debian's docker-registry in proxy mode).
// Each listens on a unix socket, never on a host port. The first lesson that needs them starts them,
// concurrent lessons (in this process or another) share them, and the last one to let go stops them.
//
// Sharing across processes rests on two flock(1) locks in the registry's folder: `start.lock`
// (exclusive) around every start and stop, and `users.lock`, held shared by each user for as long as
// it uses the registry. A lock lives in a flock process whose stdin is a pipe from us, so a user that
// dies lets go by itself; the registry's launcher then notices that no one holds it and stops it.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { InputError } from '../errors.js';
import { cacheFolder } from './cache-folder.js';
import { onInterrupt } from './cleanup.js';
import { engineRequest } from './engine-api.js';
import { findProgram } from './find-program.js';
import { readProcStat } from './proc.js';
import { upstreamCredentials, type Credentials } from './registry-credentials.js';
import { capFolder, parseSize } from './registry-prune.js';
import { linkSharedLayers } from './registry-storage.js';

/** Where images come from when the environment names no other upstream. */
export const DOCKER_HUB = 'https://registry-1.docker.io';

const START_TIMEOUT_MS = 15_000;
/** How often a registry's launcher looks for users that died without letting go. */
const WATCH_INTERVAL_S = 2;

export interface ImageSourceOptions {
  /** The registry the cache pulls from; defaults to LESSON_REGISTRY_UPSTREAM, then Docker Hub. */
  upstream?: string;
  /** Folder holding `registry/`; defaults to the user's cache folder. */
  cacheDir?: string;
}

/** One registry in use by this process; `release` once done (idempotent). */
export interface RegistryLease {
  socket: string;
  /** `proxy`: pulls what it lacks from the upstream; `plain`: serves only what its folder holds. */
  mode: 'proxy' | 'plain';
  folder: string;
  release(): Promise<void>;
}

/** The store and the cache, in the order engines should try them. */
export interface ImageSources {
  store: RegistryLease;
  cache: RegistryLease;
  upstream: string;
  release(): Promise<void>;
}

export function chosenUpstream(flag?: string): string {
  return (flag || process.env.LESSON_REGISTRY_UPSTREAM || DOCKER_HUB).replace(/\/+$/, '');
}

/** A short name for a registry's folder, in the names of the socket folders that serve it. */
export function folderTag(folder: string): string {
  return createHash('sha256').update(resolve(folder)).digest('hex').slice(0, 8);
}

/** A folder name per upstream: readable, and unique through a hash of the whole URL. */
export function upstreamKey(upstream: string): string {
  const host = upstream.replace(/^[a-z]+:\/\//i, '').replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 40);
  return `${host}-${createHash('sha256').update(upstream).digest('hex').slice(0, 8)}`;
}

/** Why the image registries cannot run here, in one line, or undefined when they can. */
export async function imageSourcesUnavailable(): Promise<string | undefined> {
  const path = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;
  for (const [program, pkg] of [['docker-registry', 'docker-registry'], ['flock', 'util-linux'], ['socat', 'socat'], ['nsenter', 'util-linux']]) {
    if (!(await findProgram(program!, path))) return `${program} not found: install it with \`apt-get install ${pkg}\` (or run \`bash scripts/setup.sh\`)`;
  }
  return undefined;
}

/** The folders of the store and of the cache for the chosen upstream. */
export function registryFolders(options: ImageSourceOptions = {}): { store: string; cache: string; upstream: string } {
  const upstream = chosenUpstream(options.upstream);
  const base = join(options.cacheDir ?? cacheFolder(), 'registry');
  return { store: join(base, 'store'), cache: join(base, upstreamKey(upstream)), upstream };
}

/** Opens the store and the cache for `upstream`, starting whichever is not running yet. */
export async function openImageSources(options: ImageSourceOptions = {}): Promise<ImageSources> {
  const max = process.env.LESSON_CACHE_MAX;
  if (max && parseSize(max) === undefined) throw new InputError(`LESSON_CACHE_MAX=${max}: expected a size such as 2G, 500M or a number of bytes`);
  const folders = registryFolders(options);
  const upstream = folders.upstream;
  const credentials = await upstreamCredentials(upstream);
  const [store, cache] = await Promise.allSettled([openRegistry(folders.store).catch(onFullDisk('store', folders.store)), openRegistry(folders.cache, upstream, credentials).catch(onFullDisk('cache', folders.cache))]);
  if (store.status === 'rejected' || cache.status === 'rejected') {
    for (const opened of [store, cache]) if (opened.status === 'fulfilled') await opened.value.release();
    throw [store, cache].map((opened) => (opened.status === 'rejected' ? opened.reason : undefined)).find(Boolean);
  }
  return { store: store.value, cache: cache.value, upstream, release: () => Promise.all([cache.value.release(), store.value.release()]).then(() => undefined) };
}

/** A registry that cannot even start on a full disk: said in one line, naming the folder. */
function onFullDisk(name: string, folder: string): (error: NodeJS.ErrnoException) => never {
  return (error) => {
    if (error.code !== 'ENOSPC' && error.code !== 'EDQUOT') throw error;
    throw new InputError(`the image ${name}'s disk is full (${folder}): it cannot keep what it pulls; free space there, or cap the cache with LESSON_CACHE_MAX (\`lesson images prune\` removes what no snapshot pins)`);
  };
}

interface State {
  launcher: number;
  registry: number;
  socket: string;
  mode: 'proxy' | 'plain';
}

/** A flock(1) lock held for as long as its process lives; it dies with us, the pipe closing. */
class HeldLock {
  private constructor(private readonly child: ChildProcess) {}

  static async take(file: string, mode: '-s' | '-x'): Promise<HeldLock> {
    const child = spawn('flock', [mode, file, 'sh', '-c', 'echo held; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'] });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`flock ${file} exited with ${code}`)));
      child.stdout?.once('data', () => resolve());
    });
    child.removeAllListeners('exit');
    return new HeldLock(child);
  }

  async drop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin?.end();
    await gone;
  }
}

async function withLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const lock = await HeldLock.take(file, '-x');
  try {
    return await work();
  } finally {
    await lock.drop();
  }
}

/** True when no one holds `file` at all (tried without waiting). */
async function unheld(file: string): Promise<boolean> {
  return (await execa('flock', ['-n', '-x', file, 'true'], { reject: false })).exitCode === 0;
}

function alive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

async function readState(folder: string): Promise<State | undefined> {
  try {
    return JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as State;
  } catch {
    return undefined;
  }
}

async function answers(socket: string): Promise<boolean> {
  return engineRequest(socket, 'GET', '/v2/', 1000).then((reply) => reply.status === 200, () => false);
}

// The registry is watched by the shell that started it: when no user holds the lock (the last one died
// without letting go), it removes the state and stops the registry. Killing its process group stops both.
const LAUNCHER = `
folder=$1; sockets=$2; config=$3
docker-registry serve "$config" &
r=$!
(
  while sleep ${WATCH_INTERVAL_S} && kill -0 "$r" 2>/dev/null; do
    # A folder removed under it (a cleared cache) has no users left to ask.
    if [ ! -d "$folder" ] || flock -n "$folder/start.lock" flock -n -x "$folder/users.lock" rm -f "$folder/state.json"; then
      kill "$r"
      exit
    fi
  done
) &
w=$!
wait "$r"
status=$?
kill "$w" 2>/dev/null
rm -rf "$sockets"
exit "$status"
`;

function config(data: string, socket: string, upstream?: string, credentials?: Credentials): string {
  // JSON is YAML: no YAML writer needed. Access logs would grow with every pull; warnings and panics stay.
  return JSON.stringify({
    version: 0.1,
    log: { level: 'warn', formatter: 'text', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: data }, delete: { enabled: true } },
    http: { net: 'unix', addr: socket },
    ...(upstream ? { proxy: { remoteurl: upstream, ...credentials } } : {}),
  });
}

/** The line that says why the registry stopped: its panic, else its last line. */
function why(log: string): string {
  const lines = log.trimEnd().split('\n');
  return lines.find((line) => line.startsWith('panic:')) ?? lines.at(-1) ?? '';
}

async function launch(folder: string, upstream: string | undefined, credentials?: Credentials): Promise<State> {
  // sockaddr_un is short; the cache folder may be deep in a home directory, so the socket lives in /tmp,
  // in a folder named after the registry's: what serves which folder shows in `ps`.
  const base = tmpdir().length <= 40 ? tmpdir() : '/tmp';
  const sockets = await mkdtemp(join(base, `lesson-registry-${folderTag(folder)}-`));
  const socket = join(sockets, 'registry.sock');
  const configFile = join(folder, 'config.yml');
  const logFile = join(folder, 'registry.log');
  // Only its owner may read it: it may hold the upstream's credentials.
  await writeFile(configFile, '', { mode: 0o600 });
  await chmod(configFile, 0o600);
  await writeFile(configFile, config(join(folder, 'data'), socket, upstream, credentials));
  await writeFile(logFile, '');
  const log = openSync(logFile, 'a');
  const child = spawn('sh', ['-c', LAUNCHER, 'sh', folder, sockets, configFile], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.on('error', () => undefined);
  child.unref();
  const launcher = child.pid ?? 0;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answers(socket))) {
    if (child.exitCode !== null || child.signalCode !== null || !launcher) {
      await rm(sockets, { recursive: true, force: true });
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new RegistryStartError(`docker-registry exited while starting (${logFile}): ${why(log)}`, log);
    }
    if (Date.now() > deadline) {
      await stopLauncher(launcher);
      await rm(sockets, { recursive: true, force: true });
      throw new Error(`docker-registry did not answer within ${START_TIMEOUT_MS / 1000} s (${logFile}): ${why(await readFile(logFile, 'utf8').catch(() => ''))}`);
    }
    await sleep(20);
  }
  const registry = await childOf(launcher);
  return { launcher, registry, socket, mode: upstream ? 'proxy' : 'plain' };
}

class RegistryStartError extends Error {
  constructor(message: string, readonly log: string) {
    super(message);
  }
}

async function childOf(pid: number): Promise<number> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return Number(children.trim().split(/\s+/)[0]) || 0;
}

async function stopLauncher(launcher: number): Promise<void> {
  const registry = await childOf(launcher);
  try {
    process.kill(-launcher, 'SIGTERM');
  } catch {
    // already gone
  }
  const deadline = Date.now() + 3000;
  while ((alive(launcher) || (registry && alive(registry))) && Date.now() < deadline) await sleep(10);
  for (const pid of [registry, launcher]) {
    try {
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Whether the state names a registry that is still ours and still answers. */
async function usable(state: State | undefined): Promise<boolean> {
  if (!state || !alive(state.launcher) || !alive(state.registry)) return false;
  const cmdline = await readFile(`/proc/${state.registry}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('docker-registry') && (await answers(state.socket));
}

/**
 * Opens the registry kept in `folder` (a pull-through cache of `upstream`, or a plain one without),
 * starting it unless another user already did. A proxy cannot start while its upstream is unreachable:
 * then the folder is served as it is, so what is cached still pulls offline.
 */
export async function openRegistry(folder: string, upstream?: string, credentials?: Credentials): Promise<RegistryLease> {
  await mkdir(join(folder, 'data'), { recursive: true });
  const startLock = join(folder, 'start.lock');
  const usersLock = join(folder, 'users.lock');
  let user: HeldLock | undefined;
  const state = await withLock(startLock, async () => {
    user = await HeldLock.take(usersLock, '-s');
    try {
      const current = await readState(folder);
      if (await usable(current)) return current!;
      if (current && alive(current.launcher)) await stopLauncher(current.launcher);
      await linkSharedLayers(join(folder, 'data'));
      let started: State;
      try {
        started = await launch(folder, upstream, credentials);
      } catch (error) {
        if (!upstream || !(error instanceof RegistryStartError) || !/panic:/.test(error.log)) throw error;
        started = await launch(folder, undefined);
      }
      try {
        await writeFile(join(folder, 'state.json'), JSON.stringify(started));
      } catch (error) {
        // Unrecorded (a full disk), no one else could ever stop it.
        await stopLauncher(started.launcher);
        await rm(join(started.socket, '..'), { recursive: true, force: true });
        throw error;
      }
      return started;
    } catch (error) {
      await user?.drop();
      throw error;
    }
  });
  let released: Promise<void> | undefined;
  const release = (): Promise<void> =>
    (released ??= withLock(startLock, async () => {
      await user?.drop();
      // No one else holds it, and no one can start using it while we hold the start lock.
      if (!(await unheld(usersLock))) return;
      const current = await readState(folder);
      await rm(join(folder, 'state.json'), { force: true });
      if (current) {
        await stopLauncher(current.launcher);
        await rm(join(current.socket, '..'), { recursive: true, force: true });
      }
      if (upstream) await keepUnderCap(folder);
    }).finally(unregister));
  const unregister = onInterrupt(release);
  return { socket: state.socket, mode: state.mode, folder, release };
}

/**
 * LESSON_CACHE_MAX (`2G`, `500M`...): once its last user lets go, a cache holding more sheds the images
 * used longest ago. A run never fails for it: what went wrong goes to the cache's log.
 */
async function keepUnderCap(folder: string): Promise<void> {
  const max = parseSize(process.env.LESSON_CACHE_MAX);
  if (max === undefined) return;
  try {
    await capFolder(folder, max);
  } catch (error) {
    await writeFile(join(folder, 'registry.log'), `lesson: keeping the cache under LESSON_CACHE_MAX failed: ${(error as Error).message}\n`, { flag: 'a' }).catch(() => undefined);
  }
}

/** Thrown by `whenIdle` while lessons use the registry. */
export class RegistryBusy extends InputError {}

/**
 * Runs `work` on a registry's folder while its registry is stopped, and no lesson can start it until
 * `work` ends; throws RegistryBusy while a lesson uses it.
 */
export async function whenIdle<T>(folder: string, work: () => Promise<T>): Promise<T> {
  await mkdir(folder, { recursive: true });
  return withLock(join(folder, 'start.lock'), async () => {
    if (!(await unheld(join(folder, 'users.lock')))) throw new RegistryBusy(`a running lesson uses ${folder}: try again once it ends`);
    const current = await readState(folder);
    if (current && alive(current.launcher)) await stopLauncher(current.launcher);
    await rm(join(folder, 'state.json'), { force: true });
    return work();
  });
}
