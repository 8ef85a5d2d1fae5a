// Which builder `docker build` uses, decided as the docker CLI decides it, and a way to get the one a
// snapshot was recorded with: BuildKit and the legacy builder print different outputs for one build.

import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readlink, realpath, rename, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { InputError } from '../errors.js';
import { cacheFolder } from './cache-folder.js';

export type BuilderKind = 'legacy' | 'buildkit';

/** A docker CLI: where it is, its version, and its buildx plugin's version when it has one. */
export interface DockerClient {
  path: string;
  version: string;
  buildx?: string;
}

export interface Builder {
  /** `none`: `docker build` fails at once (DOCKER_BUILDKIT=1 asks for BuildKit that this client cannot use). */
  kind: BuilderKind | 'none';
  /** What a snapshot's environment says of it: `legacy`, `buildkit (buildx v0.12.1)`... */
  label: string;
}

// The CLI reads DOCKER_BUILDKIT with Go's strconv.ParseBool; anything else is an error there.
function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  return undefined;
}

function major(version: string): number {
  return Number.parseInt(version, 10);
}

/**
 * The builder a client uses, given DOCKER_BUILDKIT. Up to 20.10 the client has BuildKit built in and
 * uses it when DOCKER_BUILDKIT=1 (without it, when the engine's own config asks for it, which private
 * engines do not). From 23 on, `docker build` is buildx's when the plugin is there, unless
 * DOCKER_BUILDKIT=0; without buildx it is the legacy builder, and DOCKER_BUILDKIT=1 an error. Pure.
 */
export function builderOf(client: Pick<DockerClient, 'version' | 'buildx'>, buildkitVariable: string | undefined): Builder {
  const wanted = parseBool(buildkitVariable);
  if (major(client.version) < 23) {
    return wanted ? { kind: 'buildkit', label: `buildkit (built into docker ${client.version})` } : { kind: 'legacy', label: 'legacy' };
  }
  if (wanted === false) return { kind: 'legacy', label: 'legacy' };
  if (client.buildx) return { kind: 'buildkit', label: `buildkit (buildx ${client.buildx})` };
  return wanted
    ? { kind: 'none', label: `none (DOCKER_BUILDKIT=1, but docker ${client.version} has no buildx)` }
    : { kind: 'legacy', label: 'legacy' };
}

/** The client at `path` (or the first `docker` on PATH), or undefined when there is none or it does not answer. */
export async function describeClient(env: Record<string, string | undefined>, path = 'docker'): Promise<DockerClient | undefined> {
  // `--version` needs no engine: `docker version` would wait for one.
  // Both at once: each start of the CLI costs a tenth of a second or more.
  const [version, buildx] = await Promise.all([
    execa(path, ['--version'], { env, reject: false, timeout: 15_000 }),
    execa(path, ['buildx', 'version'], { env, reject: false, timeout: 15_000 }),
  ]);
  const found = /version (\S+?),? /.exec(version.stdout ?? '');
  if (version.exitCode !== 0 || !found?.[1]) return undefined;
  const plugin = buildx.exitCode === 0 ? /\sv?(\d[^\s]*)/.exec(buildx.stdout)?.[1] : undefined;
  return { path, version: found[1], ...(plugin && { buildx: `v${plugin}` }) };
}

/** The builder the docker CLI on `env`'s PATH uses, as a snapshot's environment records it. */
export async function detectBuilder(env: Record<string, string | undefined>): Promise<string> {
  const client = await describeClient(env);
  return client ? builderOf(client, env.DOCKER_BUILDKIT).label : 'unknown (no docker CLI)';
}

/** Every docker CLI on this machine: PATH's first, then the others on PATH and where packages put one. */
export async function dockerClients(env: Record<string, string | undefined>, packaged = ['/usr/local/bin', '/usr/bin']): Promise<DockerClient[]> {
  const dirs = [...(env.PATH ?? '').split(':').filter(Boolean), ...packaged];
  const seen = new Set<string>();
  const clients: DockerClient[] = [];
  for (const dir of dirs) {
    const program = join(dir, 'docker');
    if (!(await access(program, constants.X_OK).then(() => true, () => false))) continue;
    const real = await realpath(program).catch(() => program);
    if (seen.has(real)) continue;
    seen.add(real);
    const client = await describeClient(env, program);
    if (client) clients.push(client);
  }
  return clients;
}

/** The builder wanted is not available with any client here; the message says what is and what to do. */
export class BuilderUnavailable extends InputError {
  constructor(message: string, file?: string) {
    super(message, file);
    this.name = 'BuilderUnavailable';
  }
}

/** One line per client: which builders it gives. */
export function describeClients(clients: DockerClient[]): string {
  if (clients.length === 0) return 'no docker CLI';
  return clients
    .map((client) => {
      const builders = [builderOf(client, '1'), builderOf(client, '0')].filter((builder) => builder.kind !== 'none').map((builder) => builder.kind);
      return `docker ${client.version} at ${client.path} (${[...new Set(builders)].join(' or ')})`;
    })
    .join('; ');
}

/** The first client that builds with `wanted`, or undefined. Pure. */
export function clientFor(wanted: BuilderKind, clients: DockerClient[]): DockerClient | undefined {
  return clients.find((client) => builderOf(client, wanted === 'buildkit' ? '1' : '0').kind === wanted);
}

/**
 * Makes this process, and every process of the lessons it runs, build with `wanted`: DOCKER_BUILDKIT
 * says which (unless the client uses it by default), and when PATH's first docker cannot, a folder holding a `docker` link to one that can goes
 * first on PATH. Throws BuilderUnavailable, saying which clients this machine has, when none can;
 * `record` is the command that records a variant with the builder this machine has.
 */
export async function useBuilder(
  wanted: BuilderKind,
  options: { env?: NodeJS.ProcessEnv; record?: (builder: BuilderKind) => string; packaged?: string[]; file?: string } = {},
): Promise<DockerClient> {
  const { env = process.env, record } = options;
  const clients = await dockerClients(env, options.packaged);
  const client = clientFor(wanted, clients);
  if (!client) {
    const other: BuilderKind = wanted === 'buildkit' ? 'legacy' : 'buildkit';
    const hint = clientFor(other, clients) && record ? `; to record a variant here, run \`${record(other)}\`` : '';
    const install = wanted === 'buildkit' ? ' (install buildx: `apt-get install docker-buildx`, or a docker 20.10 client: `apt-get install docker.io`)' : '';
    throw new BuilderUnavailable(`the ${wanted} builder is needed, and no docker CLI here has it${install}; this machine has ${describeClients(clients)}${hint}`, options.file);
  }
  // Unset where the client's default is the builder wanted, so outputs are those its users see by
  // default: Docker 28 prints another deprecation notice under DOCKER_BUILDKIT=0 than without it.
  if (builderOf(client, undefined).kind === wanted) delete env.DOCKER_BUILDKIT;
  else env.DOCKER_BUILDKIT = wanted === 'buildkit' ? '1' : '0';
  if (client !== clients[0]) env.PATH = `${await linkFolder(client.path)}:${env.PATH ?? ''}`;
  return client;
}

// One folder per client, kept in the cache: made once, shared by every run, never half-made.
async function linkFolder(program: string): Promise<string> {
  const real = await realpath(program);
  const folder = join(cacheFolder(), 'clients', createHash('sha256').update(real).digest('hex').slice(0, 16));
  const link = join(folder, 'docker');
  if ((await readlink(link).catch(() => undefined)) === real) return folder;
  await mkdir(folder, { recursive: true });
  const partial = `${link}.${process.pid}.tmp`;
  await symlink(real, partial);
  await rename(partial, link);
  return dirname(link);
}
