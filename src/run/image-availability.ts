// Whether the images a lesson declares (`images:`) can be had here: held by the store or the cache on
// disk, or its upstream answering. `lesson check` skips a lesson whose images cannot be had, with why,
// instead of failing it step after step on a machine without the network.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheFolder } from './cache-folder.js';
import { chosenUpstream, upstreamKey } from './image-cache.js';

const ANSWER_TIMEOUT_MS = 3000;

/** The registry's own path of an image's tag: `ubuntu` is `library/ubuntu:latest`. */
function tagPath(image: string): string {
  const at = image.lastIndexOf(':');
  const [name, tag] = at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, 'latest'];
  const repository = name.includes('/') ? name : `library/${name}`;
  return join('docker/registry/v2/repositories', repository, '_manifests/tags', tag, 'current/link');
}

/** Whether a registry folder (the store, or the cache of one upstream) holds the image's tag. */
export function holds(folder: string, image: string): boolean {
  return existsSync(join(folder, 'data', tagPath(image)));
}

/** Whether the upstream's registry API answers at all (any status: Docker Hub asks for a token first). */
async function answers(upstream: string): Promise<string | undefined> {
  try {
    await fetch(`${upstream.replace(/\/$/, '')}/v2/`, { signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS) });
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).message;
  }
}

/** Why one of `images` cannot be had here, or undefined when all can. Asks the upstream only when an image is not held. */
export async function imagesUnavailable(images: string[], upstream = chosenUpstream()): Promise<string | undefined> {
  const base = join(cacheFolder(), 'registry');
  const missing = images.filter((image) => !holds(join(base, 'store'), image) && !holds(join(base, upstreamKey(upstream)), image));
  if (missing.length === 0) return undefined;
  const silent = await answers(upstream);
  if (!silent) return undefined;
  return `image ${missing.join(', ')} is in neither the image store nor the cache, and ${upstream} does not answer (${silent}): run the lesson once where it does (the cache keeps what it pulls), or set LESSON_REGISTRY_UPSTREAM to a mirror`;
}

/** Whether a registry folder holds the manifest `digest` under the image's repository. */
export function holdsDigest(folder: string, image: string, digest: string): boolean {
  const repository = join(tagPath(image), '../../../..');
  return existsSync(join(folder, 'data', repository, 'revisions/sha256', digest.replace(/^sha256:/, ''), 'link'));
}

/**
 * The run's header line on its images: where each image the lesson names will come from, as the
 * registries' folders say before the run (the snapshot records where each one did come from).
 */
export function predictSources(images: string[], pins: Record<string, string>, sources: { store: { folder: string }; cache: { folder: string; mode: string } }): string {
  const where = images.map((image) => {
    const pinned = pins[image];
    const has = (folder: string) => (pinned ? holdsDigest(folder, image, pinned) : holds(folder, image));
    const from = has(sources.store.folder) ? 'store' : has(sources.cache.folder) ? 'cache' : sources.cache.mode === 'plain' ? 'nowhere (the upstream does not answer)' : 'upstream';
    return `${image}${pinned ? ` ${pinned.slice(0, 19)} (pinned)` : ''} from ${from}`;
  });
  return `images: ${where.join(', ')}`;
}
