// `lesson images`: what the store and the cache hold, images put into the store by hand (Debian's
// skopeo), images removed, the cache pruned; and the images snapshots pin kept in the store, where the
// cache's 7-day expiry cannot drop them.

import { randomBytes } from 'node:crypto';
import { link, mkdir, mkdtemp, copyFile, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { InputError } from '../errors.js';
import { familiarRef, type ImagePin } from '../judge/image-pins.js';
import { onDockerHub } from '../plan/images.js';
import { openImageSources, registryFolders, whenIdle, type ImageSourceOptions } from './image-cache.js';
import { blobBytes, collectGarbage, storedImages, unlinkImages, type StoredImage } from './registry-prune.js';
import { blobData, registryRoot } from './registry-storage.js';

/** `ubuntu:latest` → the registry's `library/ubuntu` and `latest`; `redis@sha256:…` → its digest. */
export function registryName(ref: string): { repository: string; tag?: string; digest?: string } {
  const familiar = familiarRef(ref);
  const at = familiar.indexOf('@');
  const [name, tag, digest] = at >= 0 ? [familiar.slice(0, at), undefined, familiar.slice(at + 1)] : [familiar.slice(0, familiar.lastIndexOf(':')), familiar.slice(familiar.lastIndexOf(':') + 1), undefined];
  return { repository: name.includes('/') ? name : `library/${name}`, ...(tag && { tag }), ...(digest && { digest }) };
}

/** `library/ubuntu` with tag or digest → `ubuntu:latest`, as docker prints it. */
export function shownName(repository: string, tagOrDigest: string): string {
  const name = repository.replace(/^library\//, '');
  return tagOrDigest.startsWith('sha256:') ? `${name}@${tagOrDigest}` : `${name}:${tagOrDigest}`;
}

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

/** Writes a link file whole, so a registry reading it never sees it half written. */
async function writeLink(path: string, digest: string): Promise<void> {
  if (await exists(path)) return;
  await mkdir(dirname(path), { recursive: true });
  // Lessons checked at once in this process may keep the same image: each writes its own partial file.
  const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(partial, digest);
  await rename(partial, path);
}

async function shareBlob(from: string, to: string, digest: string): Promise<void> {
  const target = blobData(to, digest);
  if (await exists(target)) return;
  await mkdir(dirname(target), { recursive: true });
  // A hard link: the store keeps the blob without a second copy on disk, and the cache may drop its own.
  await link(blobData(from, digest), target).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') return;
    if (error.code !== 'EXDEV') throw error;
    const partial = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await copyFile(blobData(from, digest), partial);
    await rename(partial, target);
  });
}

/** Copies one image (by digest: its manifest, platforms held, config and layers) from one registry folder to another. */
async function copyImage(fromFolder: string, toFolder: string, repository: string, digest: string): Promise<boolean> {
  const from = registryRoot(fromFolder);
  const to = registryRoot(toFolder);
  const image = (await storedImages(fromFolder)).find((held) => held.repository === repository && held.digest === digest);
  // Half an image would be worse than none: the store, asked first, would serve a manifest without its layers.
  if (!image?.complete) return false;
  const manifests = new Set<string>([digest]);
  const parsed = JSON.parse(await readFile(blobData(from, digest), 'utf8')) as { manifests?: { digest?: string }[] };
  for (const child of parsed.manifests ?? []) if (child.digest && image.blobs.includes(child.digest)) manifests.add(child.digest);
  const repositoryDir = join(to, 'repositories', repository);
  // Blobs first, then the links that make them visible: a registry never serves a link to a missing blob.
  for (const blob of image.blobs) await shareBlob(from, to, blob);
  for (const blob of image.blobs) {
    if (!manifests.has(blob)) await writeLink(join(repositoryDir, '_layers', 'sha256', blob.slice('sha256:'.length), 'link'), blob);
  }
  for (const manifest of manifests) await writeLink(join(repositoryDir, '_manifests', 'revisions', 'sha256', manifest.slice('sha256:'.length), 'link'), manifest);
  return true;
}

/**
 * Keeps the pinned images the cache holds whole in the store too, by digest (no tag): a check finds them
 * there first. A run never fails for it: what went wrong (a full disk) goes to the store's log.
 */
export async function keepInStore(pins: ImagePin[], options: ImageSourceOptions = {}): Promise<void> {
  const folders = registryFolders(options);
  for (const pin of pins) {
    if (!pin.digest) continue;
    const { repository } = registryName(pin.ref);
    const revision = join(registryRoot(folders.store), 'repositories', repository, '_manifests', 'revisions', 'sha256', pin.digest.slice('sha256:'.length), 'link');
    try {
      if (!(await exists(revision))) await copyImage(folders.cache, folders.store, repository, pin.digest);
    } catch (error) {
      await writeFile(join(folders.store, 'registry.log'), `lesson: keeping ${pin.ref} ${pin.digest} for a snapshot failed: ${(error as Error).message}\n`, { flag: 'a' }).catch(() => undefined);
    }
  }
}

export interface Listing {
  store: StoredImage[];
  cache: StoredImage[];
  upstream: string;
  /** Bytes on disk: each folder's own, and both together with shared (hard-linked) blobs counted once. */
  disk: { store: number; cache: number; total: number };
}

export async function listImages(options: ImageSourceOptions = {}): Promise<Listing> {
  const folders = registryFolders(options);
  const [store, cache] = await Promise.all([storedImages(folders.store), storedImages(folders.cache)]);
  const seen = new Set<string>();
  const storeBytes = await blobBytes(folders.store, seen);
  const cacheOnly = await blobBytes(folders.cache, seen);
  return { store, cache, upstream: folders.upstream, disk: { store: storeBytes, cache: await blobBytes(folders.cache), total: storeBytes + cacheOnly } };
}

/** The images of `held` a reference names: a tag names the image it points at, a digest that image. */
function named(held: StoredImage[], ref: string): StoredImage[] {
  const { repository, tag, digest } = registryName(ref);
  return held.filter((image) => image.repository === repository && (digest ? image.digest === digest : image.tags.includes(tag ?? 'latest')));
}

/** Removes images from the store and the cache; returns what left, by folder. Throws when none of `refs` is held. */
export async function removeImages(refs: string[], options: ImageSourceOptions = {}): Promise<{ folder: 'store' | 'cache'; ref: string; image: StoredImage }[]> {
  const folders = registryFolders(options);
  const removed: { folder: 'store' | 'cache'; ref: string; image: StoredImage }[] = [];
  for (const which of ['store', 'cache'] as const) {
    await whenIdle(folders[which], async () => {
      const held = await storedImages(folders[which]);
      const leaving: StoredImage[] = [];
      for (const ref of refs) {
        for (const image of named(held, ref)) {
          const { tag } = registryName(ref);
          // An image that other tags still name keeps them: only this tag goes.
          const others = image.tags.filter((name) => name !== tag);
          leaving.push(tag && others.length > 0 ? { ...image, tags: [tag], blobs: [] } : image);
          removed.push({ folder: which, ref, image });
        }
      }
      if (leaving.length === 0) return;
      await unlinkImages(folders[which], leaving);
      await collectGarbage(folders[which]);
    });
  }
  const missing = refs.filter((ref) => !removed.some((entry) => entry.ref === ref));
  if (missing.length > 0) throw new InputError(`${missing.join(', ')}: in neither the image store nor the cache (\`lesson images ls\` lists them)`);
  return removed;
}

/**
 * The prune rule: the cache keeps the images some snapshot pins; the store keeps those and every image
 * added by hand (a tag of its own). Everything else goes, then the blobs no image left uses.
 */
export async function pruneImages(pins: { ref: string; digest: string }[], options: ImageSourceOptions = {}): Promise<{ removed: { folder: 'store' | 'cache'; image: StoredImage }[]; freed: number }> {
  const folders = registryFolders(options);
  const pinned = new Set(pins.map((pin) => `${registryName(pin.ref).repository}@${pin.digest}`));
  const removed: { folder: 'store' | 'cache'; image: StoredImage }[] = [];
  let freed = 0;
  for (const which of ['store', 'cache'] as const) {
    await whenIdle(folders[which], async () => {
      const before = await blobBytes(folders[which]);
      const leaving = (await storedImages(folders[which])).filter(
        (image) => !pinned.has(`${image.repository}@${image.digest}`) && (which === 'cache' || image.tags.length === 0),
      );
      for (const image of leaving) removed.push({ folder: which, image });
      if (leaving.length > 0) await unlinkImages(folders[which], leaving);
      await collectGarbage(folders[which]);
      freed += before - (await blobBytes(folders[which]));
    });
  }
  return { removed, freed };
}

export type ImageOrigin = { kind: 'upstream' } | { kind: 'host' } | { kind: 'archive'; transport: 'docker-archive' | 'oci'; path: string; reference?: string };

/** `--from`: `host`, `docker-archive:FILE`, `oci:DIR`; none: from the upstream, through the cache. */
export function parseOrigin(from: string | undefined): ImageOrigin {
  if (from === undefined) return { kind: 'upstream' };
  if (from === 'host') return { kind: 'host' };
  const match = /^(docker-archive|oci):(.+)$/.exec(from);
  if (!match) throw new InputError(`--from ${from}: expected host, docker-archive:FILE or oci:DIR`);
  return { kind: 'archive', transport: match[1] as 'docker-archive' | 'oci', path: match[2]! };
}

// skopeo speaks HTTP over TCP, and the registries listen on unix sockets only: the copy runs in a
// network namespace of its own, where socat relays loopback ports to the sockets. No host port opens.
const COPY = `
ip link set lo up || exit 1
socat TCP-LISTEN:5001,bind=127.0.0.1,fork,reuseaddr "UNIX-CONNECT:$1" &
store=$!
socat TCP-LISTEN:5002,bind=127.0.0.1,fork,reuseaddr "UNIX-CONNECT:$2" &
cache=$!
until grep -q '0100007F:1389 00000000:0000 0A' /proc/net/tcp && grep -q '0100007F:138A 00000000:0000 0A' /proc/net/tcp; do sleep 0.01; done
shift 2
skopeo copy --quiet "$@"
status=$?
kill "$store" "$cache"
wait
exit $status
`;

/** Copies an image into the store with skopeo; returns its digest there. */
async function copyIntoStore(sockets: { store: string; cache: string }, source: string, ref: string, tlsSource: boolean): Promise<string> {
  const { repository, tag } = registryName(ref);
  const dir = await mkdtemp(join(tmpdir(), 'lesson-add-'));
  try {
    const digestFile = join(dir, 'digest');
    const args = [...(tlsSource ? ['--src-tls-verify=false'] : []), '--dest-tls-verify=false', '--digestfile', digestFile, source, `docker://127.0.0.1:5001/${repository}:${tag ?? 'latest'}`];
    const user = process.getuid?.() === 0 ? [] : ['--map-root-user'];
    const copy = await execa('unshare', [...user, '--net', '--', 'sh', '-c', COPY, 'sh', sockets.store, sockets.cache, ...args], {
      reject: false,
      all: true,
      env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
    });
    if (copy.exitCode !== 0) throw new InputError(`${ref}: skopeo could not copy ${source.replace('127.0.0.1:5002', 'the cache')}: ${copy.all.trim().split('\n').at(-1)}`);
    return (await readFile(digestFile, 'utf8')).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Puts images into the store; returns each one's digest there. */
export async function addImages(refs: string[], origin: ImageOrigin, options: ImageSourceOptions & { dockerEnv?: NodeJS.ProcessEnv } = {}): Promise<{ ref: string; digest: string }[]> {
  for (const ref of refs) {
    if (!onDockerHub(ref)) throw new InputError(`${ref}: the image registries serve Docker Hub names only (engines reach them as Docker Hub mirrors); name it as on Docker Hub`);
  }
  const sources = await openImageSources(options);
  const added: { ref: string; digest: string }[] = [];
  try {
    for (const ref of refs) {
      const shown = familiarRef(ref);
      const { repository, tag } = registryName(ref);
      let source: string;
      let scratch: string | undefined;
      if (origin.kind === 'upstream') source = `docker://127.0.0.1:5002/${repository}:${tag ?? 'latest'}`;
      else if (origin.kind === 'archive') source = `${origin.transport}:${origin.path}${refs.length > 1 ? `:${origin.transport === 'oci' ? (tag ?? 'latest') : shown}` : ''}`;
      else {
        scratch = await mkdtemp(join(tmpdir(), 'lesson-save-'));
        const saved = await execa('docker', ['save', '-o', join(scratch, 'image.tar'), shown], { reject: false, all: true, env: { ...process.env, ...options.dockerEnv } });
        if (saved.exitCode !== 0) {
          await rm(scratch, { recursive: true, force: true });
          throw new InputError(`${shown}: \`docker save\` from your engine failed: ${saved.all.trim().split('\n').at(-1)}`);
        }
        source = `docker-archive:${join(scratch, 'image.tar')}`;
      }
      try {
        added.push({ ref: shown, digest: await copyIntoStore({ store: sources.store.socket, cache: sources.cache.socket }, source, ref, origin.kind === 'upstream') });
      } finally {
        if (scratch) await rm(scratch, { recursive: true, force: true });
      }
    }
  } finally {
    await sources.release();
  }
  return added;
}
