// A lesson page is code, and its steps run as the user who runs lesson (often root). They run inside
// bubblewrap: the host's filesystem read-only, the run's folder writable at its own path (so
// `-v "$PWD":/data` means to the engine what it means to the step), a HOME and a /tmp of the run's own,
// the user's home hidden, and of the Docker engines only the lesson's reachable.

import { existsSync, mkdirSync, readdirSync, readlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { cacheFolder } from './cache-folder.js';
import type { Engine } from './engine.js';
import type { Workspace } from './workspace.js';

/** Where engines listen by default: hidden unless the lesson runs on the user's own engine. */
const defaultSockets = ['/run/docker.sock', '/var/run/docker.sock', '/run/containerd/containerd.sock', '/run/podman/podman.sock'];

/** The socket a DOCKER_HOST names, when it is a unix one. */
function socketOf(dockerHost: string | undefined): string | undefined {
  return dockerHost?.startsWith('unix://') ? dockerHost.slice('unix://'.length) : undefined;
}

export interface Sandbox {
  /** What to run instead of `program args…`: bwrap, its mounts, then the program. */
  prefix: string[];
  /** Settings the steps see inside: HOME and TMPDIR of the run's own. */
  env: Record<string, string>;
}

/**
 * The sandbox of one run. `engine` is the lesson's engine, if it has one: its socket is the only one
 * bound in; on the user's own engine, their Docker settings (contexts, TLS certificates) are bound
 * read-only so that the CLI inside reaches the same engine.
 */
export function makeSandbox(workspace: Workspace, engine: Engine | undefined, bwrap: string): Sandbox {
  const home = join(workspace.root, 'home');
  const tmp = join(workspace.root, 'tmp');
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const userHome = homedir();
  const args = [
    bwrap,
    ...hostRoot(),
    '--dev-bind', '/dev', '/dev',
    '--proc', '/proc',
    // The user's home, emptied (and made read-only last, once what is bound inside it is): no
    // ~/.docker, ~/.ssh, ~/.gitconfig, shell settings.
    '--tmpfs', userHome,
    '--bind', tmp, '/tmp',
  ];
  const lessonSocket = socketOf(engine?.env.DOCKER_HOST);
  // A user's own rootless Docker listens in their runtime folder.
  const runtime = [process.env.XDG_RUNTIME_DIR, `/run/user/${process.getuid?.() ?? 0}`].flatMap((dir) => (dir ? [join(dir, 'docker.sock')] : []));
  for (const socket of new Set([...defaultSockets, ...runtime])) {
    if (socket !== lessonSocket && existsSync(socket)) args.push('--ro-bind', '/dev/null', socket);
  }
  // The image registries' folders, wherever the cache lives: the cache's config may hold the upstream's credentials.
  const registries = join(cacheFolder(), 'registry');
  if (!registries.startsWith(`${userHome}/`) && existsSync(registries)) args.push('--tmpfs', registries);
  args.push('--bind', workspace.root, workspace.root);
  if (lessonSocket && existsSync(lessonSocket)) args.push('--bind', lessonSocket, lessonSocket);
  // Programs on PATH stay reachable where they live under the hidden home (~/.local/bin, a Node
  // version manager, the docker link `--builder` puts first): read-only.
  for (const dir of new Set((process.env.PATH ?? '').split(':'))) {
    if (dir.startsWith(`${userHome}/`) && existsSync(dir)) args.push('--ro-bind', dir, dir);
  }
  const dockerConfig = join(userHome, '.docker');
  if (engine?.kind === 'host' && existsSync(dockerConfig)) args.push('--ro-bind', dockerConfig, join(home, '.docker'));
  args.push('--remount-ro', userHome, '--chdir', workspace.workdir, '--');
  return { prefix: args, env: { HOME: home, TMPDIR: '/tmp' } };
}

/**
 * The host's `/`, read-only, one top-level entry at a time, leaving out what the sandbox gives its own
 * (`/proc`, `/dev`, `/tmp`). Binding `/` whole would bind every mount under it too, the overlays of the
 * private engines under the temp folder included, and bwrap fails when one of them goes away while it
 * remounts them read-only (a container ending as a step starts).
 */
function hostRoot(): string[] {
  const args: string[] = [];
  for (const entry of readdirSync('/', { withFileTypes: true })) {
    if (['proc', 'dev', 'tmp'].includes(entry.name)) continue;
    const path = `/${entry.name}`;
    if (entry.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else args.push('--ro-bind', path, path);
  }
  return args;
}

/** `program args…`, run through the sandbox's prefix when there is one. */
export function sandboxed(prefix: readonly string[] | undefined, program: string, args: string[]): [string, string[]] {
  if (!prefix || prefix.length === 0) return [program, args];
  const [launcher = program, ...rest] = prefix;
  return [launcher, [...rest, program, ...args]];
}
