// Between a private engine and the image registries (the store, then the cache): an HTTP relay in this
// process, on unix sockets the engine's socat relays reach. Passing every request through here is what
// lets a run know and hold its images:
// - a tag the snapshot pins is asked for by its digest, so a check gets the image it recorded;
// - each manifest fetched by tag says which image the engine got and from where (store, cache, or the
//   upstream through the cache), for the snapshot and the run's header;
// - each blob is checked against its digest as it passes; a copy that does not match (a corrupted
//   cache) is cut short, so the engine retries, and dropped from its folder, so the retry fetches it again;
// - a registry that stops answering mid-pull is named, instead of leaving dockerd's own words alone.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { familiarRef, type ImagePin } from '../judge/image-pins.js';
import { blobData, registryRoot } from './registry-storage.js';

export interface RelayMirror {
  name: 'store' | 'cache';
  socket: string;
  /** The registry's folder (`data/` holds what it serves). */
  folder: string;
  mode: 'proxy' | 'plain';
}

const MANIFEST = /^\/v2\/(.+)\/manifests\/([^/?]+)$/;
const BLOB = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/;

export class ImageRelay {
  private readonly pulled = new Map<string, ImagePin>();
  private faults: string[] = [];
  /** Pinned tags no registry gave, once each. */
  private readonly missing = new Set<string>();

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
    const dir = await mkdtemp(join(base, 'lesson-relay-'));
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

  /** What went wrong since the last call, one line each. */
  takeFaults(): string[] {
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
      const blob = BLOB.exec(url);
      if (blob && req.method === 'GET' && status === 200) this.passVerified(mirror, blob[2]!, answer, res);
      else answer.pipe(res);
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

  private notePull(mirror: RelayMirror, ref: string, repository: string, digest: string, before: string | undefined): void {
    const source = mirror.name === 'store' ? 'store' : mirror.mode === 'plain' || before === digest ? 'cache' : 'upstream';
    if (!this.pulled.has(ref)) this.pulled.set(ref, { ref, digest, source });
    // When an image was last used, for the cache's size cap: the oldest-used go first.
    const link = join(registryRoot(mirror.folder), 'repositories', repository, '_manifests/revisions/sha256', digest.slice('sha256:'.length), 'link');
    const now = new Date();
    void utimes(link, now, now).catch(() => undefined);
  }

  /** Passes a blob on, holding back its last chunk until its digest is checked: a bad copy never arrives whole. */
  private passVerified(mirror: RelayMirror, digest: string, answer: IncomingMessage, res: ServerResponse): void {
    const hash = createHash('sha256');
    let held: Buffer | undefined;
    let ended = false;
    answer.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      if (held && !res.write(held)) {
        answer.pause();
        res.once('drain', () => answer.resume());
      }
      held = chunk;
    });
    answer.on('end', () => {
      ended = true;
      if (`sha256:${hash.digest('hex')}` === digest) {
        res.end(held);
        return;
      }
      res.destroy();
      this.faults.push(`the image ${mirror.name} held a corrupted copy of ${digest} (its content has another digest): it is dropped, and fetched again from the upstream`);
      void rm(join(blobData(registryRoot(mirror.folder), digest), '..'), { recursive: true, force: true });
    });
    answer.on('close', () => {
      if (ended) return;
      res.destroy();
      if (!res.writableEnded) this.stopped(mirror, 'the connection closed mid-blob');
    });
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
