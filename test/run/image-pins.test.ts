// A snapshot pins the images its run got: a check gets those same images (by digest) even once the
// upstream's tag names another image and the cache has forgotten them, and `-u` records what the
// sources give now. Real parts: the built CLI, private engines, a test upstream on 127.0.0.1.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { registryFolders } from '../../src/run/image-cache.js';
import { dockerSkipReason, lesson, root } from '../helpers.js';
import { missingTools, standIns, Upstream } from './upstream.js';

const skip = dockerSkipReason() ?? missingTools();
if (skip) console.warn(`skipping pinned images: ${skip}`);

const page = join(root, 'test/fixtures/images/pinned.md');
const ubuntu = standIns.find((image) => image.repository === 'library/ubuntu')!;

describe.skipIf(skip)('images pinned by the snapshot', () => {
  let upstream: Upstream;
  let cacheDir: string;
  let snapshots: string;
  const env = () => ({ XDG_CACHE_HOME: cacheDir, LESSON_REGISTRY_UPSTREAM: upstream.url });
  const environment = () => (parse(readFileSync(join(snapshots, 'pinned.yaml'), 'utf8')) as { environment: Record<string, string> }).environment;

  beforeAll(async () => {
    upstream = await Upstream.start();
    await upstream.seed([ubuntu]);
    cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
    snapshots = mkdtempSync(join(tmpdir(), 'snapshots-'));
  });
  afterAll(async () => {
    await upstream?.stop();
  });

  test('recording pins each image by digest with where it came from, and keeps it in the store', async () => {
    const first = await upstream.digest('library/ubuntu');
    const recorded = await lesson(['run', page, '--snapshots', snapshots], { env: env() });
    expect(recorded.exitCode, recorded.all).toBe(0);
    expect(recorded.all).toContain('note: images: ubuntu:latest from upstream, alpine:latest stand-in');
    expect(environment()).toMatchObject({ 'image ubuntu:latest': `${first} (upstream)`, 'image alpine:latest': 'stand-in' });
    // Kept in the store by digest, where the cache's expiry cannot drop it.
    const store = registryFolders({ cacheDir: join(cacheDir, 'lesson') }).store;
    expect(existsSync(join(store, 'data/docker/registry/v2/repositories/library/ubuntu/_manifests/revisions/sha256', first.slice(7), 'link'))).toBe(true);
  });

  test('a check gets the pinned image after the upstream moved on and the cache was cleared; -u takes the new one', async () => {
    const pinned = environment()['image ubuntu:latest'];
    await upstream.seed([{ ...ubuntu, files: { 'etc/os-release': { content: 'NAME="Ubuntu stand-in, next release"\n' } } }]);
    const next = await upstream.digest('library/ubuntu');
    expect(`${next} (upstream)`).not.toBe(pinned);
    rmSync(registryFolders({ cacheDir: join(cacheDir, 'lesson'), upstream: upstream.url }).cache, { recursive: true });

    const checked = await lesson(['run', page, '--snapshots', snapshots], { env: { ...env(), CI: 'true' } });
    expect(checked.exitCode, checked.all).toBe(0);
    expect(checked.all).toMatch(/note: images: ubuntu:latest sha256:\S+ \(pinned\) from store/);
    // The same image: no environment change to tell of.
    expect(checked.all).not.toMatch(/note: image ubuntu/);

    const updated = await lesson(['run', page, '-u', '--snapshots', snapshots], { env: env() });
    expect(updated.exitCode, updated.all).toBe(0);
    expect(readFileSync(join(snapshots, 'pinned.yaml'), 'utf8')).toContain('Ubuntu stand-in, next release');
    expect(environment()['image ubuntu:latest']).toBe(`${next} (upstream)`);
  });
});
