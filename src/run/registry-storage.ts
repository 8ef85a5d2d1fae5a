// docker-registry serves a blob only under a repository that links it, and a pull-through cache links
// a blob only under the repository it was pulled for. An engine that already had a shared layer (the
// base layer of `ubuntu` and `jpetazzo/clock`) never asks for it under the second name, so offline,
// with the proxy unable to start, the second image would miss a layer its folder holds. Before a
// registry starts, every layer and config of every manifest a repository holds is linked to it when
// the folder has its blob. The paths are distribution's filesystem layout.

import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface Manifest {
  config?: { digest?: string };
  layers?: { digest?: string }[];
}

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

/** distribution's own folder inside a registry's folder (the store, or the cache of one upstream). */
export function registryRoot(folder: string): string {
  return join(folder, 'data', 'docker', 'registry', 'v2');
}

/** Where a registry keeps a blob's content, under its root. */
export function blobData(root: string, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(root, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

/** Folders of repositories under `dir` (those with `_manifests`), however deep their names go. */
async function repositories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (entries.some((entry) => entry.name === '_manifests')) return [dir];
  const found: string[] = [];
  for (const entry of entries) if (entry.isDirectory() && !entry.name.startsWith('_')) found.push(...(await repositories(join(dir, entry.name))));
  return found;
}

/** Links every blob the folder holds to each repository whose manifests name it; returns how many links it made. */
export async function linkSharedLayers(dataDir: string): Promise<number> {
  const root = join(dataDir, 'docker', 'registry', 'v2');
  let made = 0;
  for (const repository of await repositories(join(root, 'repositories'))) {
    const revisions = join(repository, '_manifests', 'revisions', 'sha256');
    for (const revision of await readdir(revisions).catch(() => [])) {
      let manifest: Manifest;
      try {
        manifest = JSON.parse(await readFile(blobData(root, revision), 'utf8')) as Manifest;
      } catch {
        continue; // not cached, or not an image manifest
      }
      const digests = [manifest.config?.digest, ...(manifest.layers ?? []).map((layer) => layer.digest)];
      for (const digest of digests) {
        if (!digest?.startsWith('sha256:') || !(await exists(blobData(root, digest)))) continue;
        const link = join(repository, '_layers', 'sha256', digest.slice('sha256:'.length));
        if (await exists(join(link, 'link'))) continue;
        await mkdir(link, { recursive: true });
        await writeFile(join(link, 'link'), digest);
        made++;
      }
    }
  }
  return made;
}
