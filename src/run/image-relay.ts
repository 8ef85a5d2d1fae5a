// Between a private engine and the image registries (the store, then the cache): an HTTP relay in this
// process, on unix sockets the engine's socat relays reach. Passing the engine's requests through here
// is what lets a run know and hold its images:
// - a tag the snapshot pins is asked for by its digest, so a check gets the image it recorded;
// - each manifest fetched by tag says which image the engine got and from where (store, cache, or the
//   upstream through the cache), for the snapshot and the run's header;
// - blobs do not pass through here (a second copy of every layer would cost more than the pull): the
//   engine is sent to the registry itself, through a socat relay of its own, and the copy on disk is
//   checked against its digest meanwhile. A copy that does not match (a corrupted cache) is dropped and
//   named, so the next pull fetches it again;
// - a registry that stops answering mid-pull is named, instead of leaving dockerd's own words alone.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { familiarRef, type ImagePin } from '../judge/image-pins.js';
import { folderTag } from './image-cache.js';
import { blobData, registryRoot } from './registry-storage.js';

export interface RelayMirror {
  name: 'store' | 'cache';
  socket: string;
  /** The registry's folder (`data/` holds what it serves). */
  folder: string;
  mode: 'proxy' | 'plain';
  /** Where the engine reaches this registry without the relay, for blobs: `http://127.0.0.1:PORT`. */
  direct: string;
}

const MANIFEST = /^\/v2\/(.+)\/manifests\/([^/?]+)$/;
const BLOB = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/;
/** Beside a blob found whole: its size and time then. distribution ignores other files in a blob's folder. */
const VERIFIED = 'lesson-verified';

export class ImageRelay {
  private readonly pulled = new Map<string, ImagePin>();
  private faults: string[] = [];
  /** Pinned tags no registry gave, once each. */
  private readonly missing = new Set<string>();
  /** Checks of blobs on disk still running. */
  private readonly checks = new Set<Promise<void>>();

  private constructor(
    private readonly servers: Server[],
    private readonly dir: string,
    /** One socket per mirror, in the mirrors' order. */
    readonly sockets: string[],
    private readonly agents: Agent[],
  ) {}

  /** Starts a relay for each mirror; `pins` maps a tag (`ubuntu:latest`) to the digest a check asks for. */
  static async start(mirrors: RelayMirror[], pins: Record<string, string>): Promise<ImageRelay> {
    // sockaddr_un is short: the sockets live in /tmp, as the registries' do.
    const base = tmpdir().length <= 40 ? tmpdir() : '/tmp';
    const dir = await mkdtemp(join(base, `lesson-relay-${folderTag(mirrors.at(-1)?.folder ?? base)}-`));
    const agents = mirrors.map(() => new Agent({ keepAlive: true }));
    const servers: Server[] = [];
    const sockets = mirrors.map((mirror) => join(dir, `${mirror.name}.sock`));
    const relay = new ImageRelay(servers, dir, sockets, agents);
    try {
      for (const [index, mirror] of mirrors.entries()) {
        const server = createServer((req, res) => relay.forward(mirror, agents[index]!, pins, req, res));
        servers.push(server);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(sockets[index], resolve);
        });
      }
    } catch (error) {
      await relay.close();
      throw error;
    }
    return relay;
  }

  /** The images the engine got by tag, the first time each, in order. */
  pulls(): ImagePin[] {
    return [...this.pulled.values()];
  }

  /** What went wrong since the last call, one line each, once the checks begun meanwhile end. */
  async takeFaults(): Promise<string[]> {
    await Promise.all(this.checks);
    const faults = this.faults;
    this.faults = [];
    return [...new Set(faults)];
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    })));
    for (const agent of this.agents) agent.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }

  private forward(mirror: RelayMirror, agent: Agent, pins: Record<string, string>, req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const blob = BLOB.exec(url);
    if (blob && req.method === 'GET') {
      void this.redirectBlob(mirror, url, blob[2]!, res);
      return;
    }
    const manifest = MANIFEST.exec(url);
    const byTag = manifest && !manifest[2]!.includes(':') ? { repository: manifest[1]!, tag: manifest[2]! } : undefined;
    const ref = byTag && familiarRef(`${byTag.repository}:${byTag.tag}`);
    const pinned = ref ? pins[ref] : undefined;
    const path = byTag && pinned ? `/v2/${byTag.repository}/manifests/${pinned}` : url;
    // What the cache held before it answers: an image it must first fetch came from the upstream.
    const before = byTag && mirror.name === 'cache' ? heldBefore(mirror, byTag.repository, byTag.tag, pinned) : undefined;
    const out = request({ socketPath: mirror.socket, agent, method: req.method, path, headers: req.headers }, (answer) => {
      const status = answer.statusCode ?? 502;
      const digest = String(answer.headers['docker-content-digest'] ?? '');
      if (ref && byTag) {
        if (status === 200 && digest.startsWith('sha256:')) {
          this.notePull(mirror, ref, byTag.repository, digest, before);
        } else if (pinned && mirror.name === 'cache' && !this.missing.has(ref)) {
          this.missing.add(ref);
          this.faults.push(`${ref} is pinned by the snapshot at ${pinned}, which neither the image store nor the cache holds and the upstream did not give: \`-u\` records what the sources give now`);
        }
      }
      if (status >= 500) this.noteFailure(mirror, answer);
      res.writeHead(status, answer.headers);
      answer.pipe(res);
      answer.on('close', () => {
        if (!answer.complete) res.destroy();
      });
    });
    out.on('error', (error: NodeJS.ErrnoException) => {
      this.stopped(mirror, error.code ?? error.message);
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(out);
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
  }

  /** Sends the engine to the registry itself for a blob, once it answers; checks the copy on disk meanwhile. */
  private async redirectBlob(mirror: RelayMirror, url: string, digest: string, res: ServerResponse): Promise<void> {
    const problem = await new Promise<string | undefined>((resolve) => {
      const probe = connect(mirror.socket);
      probe.once('connect', () => {
        probe.destroy();
        resolve(undefined);
      });
      probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    if (problem) {
      this.stopped(mirror, problem);
      res.writeHead(502).end();
      return;
    }
    // Checked beside the pull, not before it: a check on the way would slow every pull for a rare fault.
    const check = this.checkOnDisk(mirror, digest).finally(() => this.checks.delete(check));
    this.checks.add(check);
    res.writeHead(307, { location: `${mirror.direct}${url}`, 'content-length': '0' }).end();
  }

  /**
   * Checks a blob the folder holds against its digest, in a process of its own, and drops a copy that
   * does not match (the engine's own check fails that pull; the next one fetches it again). A copy found
   * whole is marked so (beside it, with its size and time), and not read again until it changes.
   */
  private async checkOnDisk(mirror: RelayMirror, digest: string): Promise<void> {
    const file = blobData(registryRoot(mirror.folder), digest);
    const mark = join(file, '..', VERIFIED);
    const found = await stat(file).catch(() => undefined);
    // Not held yet: the cache fetches it now, and the engine checks what it gets.
    if (!found) return;
    const identity = `${found.size} ${found.mtimeMs}`;
    if ((await readFile(mark, 'utf8').catch(() => '')) === identity) return;
    const sum = await new Promise<string>((resolve) => execFile('sha256sum', [file], (error, stdout) => resolve(error ? '' : stdout.split(' ')[0] ?? '')));
    if (!sum) return;
    if (`sha256:${sum}` === digest) {
      await writeFile(mark, identity).catch(() => undefined);
      return;
    }
    this.faults.push(`the image ${mirror.name} held a corrupted copy of ${digest} (its content has another digest): it is dropped: the next pull fetches it again`);
    await rm(join(file, '..'), { recursive: true, force: true });
  }

  private notePull(mirror: RelayMirror, ref: string, repository: string, digest: string, before: string | undefined): void {
    const source = mirror.name === 'store' ? 'store' : mirror.mode === 'plain' || before === digest ? 'cache' : 'upstream';
    if (!this.pulled.has(ref)) this.pulled.set(ref, { ref, digest, source });
    // When an image was last used, for the cache's size cap: the oldest-used go first.
    const link = join(registryRoot(mirror.folder), 'repositories', repository, '_manifests/revisions/sha256', digest.slice('sha256:'.length), 'link');
    const now = new Date();
    void utimes(link, now, now).catch(() => undefined);
  }

  private stopped(mirror: RelayMirror, why: string): void {
    this.faults.push(`the image ${mirror.name} stopped answering during the pull (${why}); its log: ${join(mirror.folder, 'registry.log')}. The next run starts it again`);
  }

  /** A registry's own words on a request it failed (a full disk...), as a fault. */
  private noteFailure(mirror: RelayMirror, answer: IncomingMessage): void {
    const chunks: Buffer[] = [];
    answer.on('data', (chunk: Buffer) => chunks.push(chunk));
    answer.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let message = body.trim().slice(0, 300);
      try {
        const parsed = JSON.parse(body) as { errors?: { message?: string; detail?: unknown }[] };
        message = (parsed.errors ?? []).map((error) => [error.message, typeof error.detail === 'string' ? error.detail : JSON.stringify(error.detail ?? '')].filter(Boolean).join(': ')).join('; ') || message;
      } catch {
        // not JSON: its first words will do
      }
      this.faults.push(diskFull(message) ? fullDisk(mirror) : `the image ${mirror.name} failed a request (${message}); its log: ${join(mirror.folder, 'registry.log')}`);
    });
  }

  /** Says so when the registry's log shows it could not write: what it serves then is not kept. */
  noteLog(mirror: RelayMirror, text: string): void {
    if (diskFull(text)) this.faults.push(fullDisk(mirror));
  }
}

const diskFull = (text: string): boolean => /no space left on device|disk quota exceeded/i.test(text);

function fullDisk(mirror: RelayMirror): string {
  return `the image ${mirror.name}'s disk is full (${mirror.folder}): it cannot keep what it pulls; free space there, or cap the cache with LESSON_CACHE_MAX (\`lesson images prune\` removes what no snapshot pins)`;
}

/** What the cache holds for a tag before it answers: the pinned digest when it has that manifest, else the tag's digest. */
function heldBefore(mirror: RelayMirror, repository: string, tag: string, pinned: string | undefined): string | undefined {
  const root = registryRoot(mirror.folder);
  if (pinned) return existsSync(blobData(root, pinned)) ? pinned : undefined;
  try {
    return readFileSync(join(root, 'repositories', repository, '_manifests/tags', tag, 'current/link'), 'utf8').trim();
  } catch {
    return undefined;
  }
}
