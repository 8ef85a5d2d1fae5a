// What a registry folder (the store, or the cache of one upstream) holds, read from distribution's
// filesystem layout, and how images leave it: their manifests' links are removed here, then
// distribution's own garbage collector (`docker-registry garbage-collect`) deletes the blobs no manifest
// uses any more. Only while the folder's registry is stopped (image-cache.ts `whenIdle`).

import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { blobData, registryRoot } from './registry-storage.js';

export interface StoredImage {
  /** As the registry names it: `library/ubuntu`. */
  repository: string;
  digest: string;
  /** Tags naming this digest. */
  tags: string[];
  /** What a pull transfers: the config and layers (of each platform held, for an index). */
  size: number;
  /** When a run last got it (the relay touches its link), else when it arrived. */
  lastUsed: Date;
  /** Every blob it needs that the folder holds, the manifest itself first. */
  blobs: string[];
  /** Whether the folder holds every config and layer it names (of the platforms it holds). */
  complete: boolean;
}

interface Manifest {
  config?: { digest?: string; size?: number };
  layers?: { digest?: string; size?: number }[];
  manifests?: { digest?: string }[];
}

const HEX = /^[0-9a-f]{64}$/;

async function dirs(path: string): Promise<string[]> {
  return (await readdir(path, { withFileTypes: true }).catch(() => [])).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/** Repositories (`library/ubuntu`) of a registry root, however deep their names go. */
async function repositories(root: string, prefix = ''): Promise<string[]> {
  const here = join(root, 'repositories', prefix);
  const names = await dirs(here);
  if (names.includes('_manifests')) return [prefix];
  const found: string[] = [];
  for (const name of names) if (!name.startsWith('_')) found.push(...(await repositories(root, prefix ? `${prefix}/${name}` : name)));
  return found;
}

async function manifest(root: string, digest: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(blobData(root, digest), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

const held = (root: string, digest: string): Promise<number | undefined> => stat(blobData(root, digest)).then((s) => s.size, () => undefined);

/** The images a registry folder holds: each manifest a repository links that is not a platform of another one there. */
export async function storedImages(folder: string): Promise<StoredImage[]> {
  const root = registryRoot(folder);
  const images: StoredImage[] = [];
  for (const repository of await repositories(root)) {
    const manifests = join(root, 'repositories', repository, '_manifests');
    const revisions = (await dirs(join(manifests, 'revisions', 'sha256'))).filter((hex) => HEX.test(hex)).map((hex) => `sha256:${hex}`);
    const tags = new Map<string, string[]>();
    for (const tag of await dirs(join(manifests, 'tags'))) {
      const digest = (await readFile(join(manifests, 'tags', tag, 'current', 'link'), 'utf8').catch(() => '')).trim();
      if (digest) tags.set(digest, [...(tags.get(digest) ?? []), tag]);
    }
    const parsed = new Map<string, Manifest>();
    for (const digest of revisions) {
      const found = await manifest(root, digest);
      if (found) parsed.set(digest, found);
    }
    const platforms = new Set([...parsed.values()].flatMap((m) => (m.manifests ?? []).map((child) => child.digest ?? '')));
    for (const [digest, top] of parsed) {
      if (platforms.has(digest)) continue;
      const blobs = [digest];
      let size = 0;
      let complete = true;
      for (const image of top.manifests ? top.manifests.flatMap((child) => (child.digest && parsed.has(child.digest) ? [[child.digest, parsed.get(child.digest)!] as const] : [])) : [[digest, top] as const]) {
        if (image[0] !== digest) blobs.push(image[0]);
        for (const part of [image[1].config, ...(image[1].layers ?? [])]) {
          if (!part?.digest) continue;
          if ((await held(root, part.digest)) === undefined) {
            complete = false;
            continue;
          }
          blobs.push(part.digest);
          size += part.size ?? 0;
        }
      }
      const link = join(manifests, 'revisions', 'sha256', digest.slice('sha256:'.length), 'link');
      const lastUsed = await stat(link).then((s) => s.mtime, () => new Date(0));
      images.push({ repository, digest, tags: tags.get(digest) ?? [], size, lastUsed, blobs, complete });
    }
  }
  return images;
}

/** Bytes of the blobs a folder holds on disk; with `seen`, a file hard-linked from a folder counted before counts nothing. */
export async function blobBytes(folder: string, seen = new Set<string>()): Promise<number> {
  const sha = join(registryRoot(folder), 'blobs', 'sha256');
  let total = 0;
  for (const prefix of await dirs(sha)) {
    for (const hex of await dirs(join(sha, prefix))) {
      const file = await stat(join(sha, prefix, hex, 'data')).catch(() => undefined);
      if (!file) continue;
      const id = `${file.dev}:${file.ino}`;
      if (seen.has(id)) continue;
      seen.add(id);
      total += file.size;
    }
  }
  return total;
}

/**
 * Removes `images` from the folder's repositories: their manifest links, the tags naming them, the
 * layer links no remaining manifest of the repository needs, the repository once it holds nothing.
 * The blobs stay until `collectGarbage`.
 */
export async function unlinkImages(folder: string, images: StoredImage[]): Promise<void> {
  const root = registryRoot(folder);
  for (const image of images) {
    const repository = join(root, 'repositories', image.repository);
    for (const digest of image.blobs) await rm(join(repository, '_manifests', 'revisions', 'sha256', digest.slice('sha256:'.length)), { recursive: true, force: true });
    for (const tag of image.tags) await rm(join(repository, '_manifests', 'tags', tag), { recursive: true, force: true });
  }
  const left = await storedImages(folder);
  for (const name of new Set(images.map((image) => image.repository))) {
    const repository = join(root, 'repositories', name);
    const mine = left.filter((image) => image.repository === name);
    if (mine.length === 0) {
      await rm(repository, { recursive: true, force: true });
      continue;
    }
    const needed = new Set(mine.flatMap((image) => image.blobs.map((digest) => digest.slice('sha256:'.length))));
    for (const hex of await dirs(join(repository, '_layers', 'sha256'))) {
      if (!needed.has(hex)) await rm(join(repository, '_layers', 'sha256', hex), { recursive: true, force: true });
    }
  }
}

/** Deletes the blobs no manifest of the folder uses: distribution's own garbage collector, with the registry stopped. */
export async function collectGarbage(folder: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lesson-gc-'));
  try {
    const config = join(dir, 'config.yml');
    await writeFile(config, JSON.stringify({ version: 0.1, log: { level: 'error' }, storage: { filesystem: { rootdirectory: join(folder, 'data') } } }));
    const gc = await execa('docker-registry', ['garbage-collect', config], { reject: false, all: true, env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/usr/bin` } });
    if (gc.exitCode !== 0) throw new Error(`docker-registry garbage-collect failed in ${folder}: ${gc.all.trim().split('\n').at(-1)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Keeps a folder's blobs under `maxBytes`: the images used longest ago leave first, until what the rest
 * need fits. Returns the images that left.
 */
export async function capFolder(folder: string, maxBytes: number): Promise<StoredImage[]> {
  if ((await blobBytes(folder)) <= maxBytes) return [];
  const images = (await storedImages(folder)).sort((a, b) => a.lastUsed.getTime() - b.lastUsed.getTime());
  const sizes = new Map<string, number>();
  for (const image of images) for (const digest of image.blobs) sizes.set(digest, (await held(registryRoot(folder), digest)) ?? 0);
  const needed = (kept: StoredImage[]) => [...new Set(kept.flatMap((image) => image.blobs))].reduce((sum, digest) => sum + (sizes.get(digest) ?? 0), 0);
  const leaving: StoredImage[] = [];
  while (leaving.length < images.length && needed(images.slice(leaving.length)) > maxBytes) leaving.push(images[leaving.length]!);
  await unlinkImages(folder, leaving);
  await collectGarbage(folder);
  return leaving;
}

/** `500M`, `2G`, `1.5GB`, `1048576`: bytes, or undefined for a value that says none. */
export function parseSize(text: string | undefined): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text ?? '');
  if (!match) return undefined;
  const power = ' kmgt'.indexOf(match[2]!.toLowerCase() || ' ');
  return Math.round(Number(match[1]) * 1024 ** power);
}
