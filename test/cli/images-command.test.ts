// `lesson images add|ls|rm|prune` against a test upstream on 127.0.0.1, run as a user runs them (the
// built CLI), and the cache's size cap. Private engines then pull what the store holds.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openImageSources, registryFolders } from '../../src/run/image-cache.js';
import { keepInStore, listImages } from '../../src/run/image-store.js';
import { blobBytes, capFolder, storedImages } from '../../src/run/registry-prune.js';
import { dockerSkipReason, lesson } from '../helpers.js';
import { missingTools, ociLayout, standIns, Upstream } from '../run/upstream.js';

const skip = dockerSkipReason() ?? missingTools();
if (skip) console.warn(`skipping lesson images: ${skip}`);

const byName = (name: string) => standIns.find((image) => image.repository === name)!;

/** A page that runs `image` with `command`. */
function page(image: string, command: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'page-')), 'uses.md');
  writeFileSync(path, ['---', 'requires: [docker]', '---', '# Uses an image', '', '```console', `$ docker run --rm ${image} ${command}`, '```', ''].join('\n'));
  return path;
}

describe.skipIf(skip)('lesson images', () => {
  let upstream: Upstream;
  let cacheDir: string;
  let folders: { store: string; cache: string };
  const env = () => ({ XDG_CACHE_HOME: cacheDir, LESSON_REGISTRY_UPSTREAM: upstream.url });

  beforeAll(async () => {
    upstream = await Upstream.start();
    await upstream.seed([byName('library/ubuntu'), byName('library/redis')]);
    cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
    folders = registryFolders({ cacheDir: join(cacheDir, 'lesson'), upstream: upstream.url });
  });
  afterAll(async () => {
    await upstream?.stop();
  });

  test('add from the upstream puts the image into the store through the cache; ls shows both and the disk they use', async () => {
    const added = await lesson(['images', 'add', 'ubuntu'], { env: env() });
    expect(added.exitCode, added.all).toBe(0);
    const digest = await upstream.digest('library/ubuntu');
    expect(added.stdout).toBe(`added ubuntu:latest ${digest}`);
    const listed = await lesson(['images', 'ls'], { env: env() });
    expect(listed.exitCode, listed.all).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^store  ubuntu:latest  ${digest}  \\d+\\.\\d [kM]B$`, 'm'));
    expect(listed.stdout).toMatch(new RegExp(`^cache  ubuntu:latest  ${digest}  \\d+\\.\\d [kM]B$`, 'm'));
    expect(listed.stdout).toMatch(/^disk: store \d+\.\d [kM]B, cache \d+\.\d [kM]B \(cache of http:\/\/127\.0\.0\.1:\d+\), \d+\.\d [kM]B in all/m);
    // The store's blobs are the cache's, hard-linked or not: the total counts each once.
    const listing = await listImages({ cacheDir: join(cacheDir, 'lesson'), upstream: upstream.url });
    expect(listing.disk.total).toBeLessThanOrEqual(listing.disk.store + listing.disk.cache);
  });

  test('a lesson pulls what the store holds with the upstream stopped and the cache gone', async () => {
    rmSync(folders.cache, { recursive: true });
    await upstream.stop();
    try {
      const run = await lesson(['run', page('ubuntu', 'cat /etc/os-release'), '--snapshots', mkdtempSync(join(tmpdir(), 'snap-'))], { env: env() });
      expect(run.exitCode, run.all).toBe(0);
      expect(run.all).toContain('note: images: ubuntu:latest from store');
    } finally {
      await upstream.resume();
    }
  });

  test('add from a docker-archive, an OCI layout and your own engine', async () => {
    const clock = ociLayout(byName('jpetazzo/clock'));
    const python = ociLayout(byName('library/python'));
    const archive = join(mkdtempSync(join(tmpdir(), 'archive-')), 'redis.tar');
    await execa('skopeo', ['copy', '--quiet', `oci:${ociLayout(byName('library/redis'))}:latest`, `docker-archive:${archive}:redis:7`]);
    const fromArchive = await lesson(['images', 'add', 'redis:7', '--from', `docker-archive:${archive}`], { env: env() });
    expect(fromArchive.exitCode, fromArchive.all).toBe(0);
    expect(fromArchive.stdout).toMatch(/^added redis:7 sha256:[0-9a-f]{64}$/);
    const fromOci = await lesson(['images', 'add', 'jpetazzo/clock', '--from', `oci:${clock}`], { env: env() });
    expect(fromOci.exitCode, fromOci.all).toBe(0);

    // "Your own engine" is the one DOCKER_HOST names: here a private engine this test starts and fills.
    const { startPrivateEngine } = await import('../../src/run/engine.js');
    const engine = await startPrivateEngine();
    try {
      const tar = join(mkdtempSync(join(tmpdir(), 'archive-')), 'python.tar');
      await execa('skopeo', ['copy', '--quiet', `oci:${python}:latest`, `docker-archive:${tar}:python:3`]);
      await execa('docker', ['load', '-i', tar], { env: { ...process.env, ...engine.env } });
      const fromHost = await lesson(['images', 'add', 'python:3', '--from', 'host'], { env: { ...env(), ...engine.env } });
      expect(fromHost.exitCode, fromHost.all).toBe(0);
    } finally {
      await engine.stop();
    }
    const listed = (await lesson(['images', 'ls'], { env: env() })).stdout;
    for (const name of ['redis:7', 'jpetazzo/clock:latest', 'python:3']) expect(listed).toMatch(new RegExp(`^store  ${name.replace('/', '\\/')} +sha256:`, 'm'));
    const run = await lesson(['run', page('redis:7', 'cat /etc/os-release'), '--snapshots', mkdtempSync(join(tmpdir(), 'snap-'))], { env: env() });
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toContain('redis:7 from store');
  });

  test('add refuses names mirrors cannot serve, and a --from it does not know', async () => {
    const other = await lesson(['images', 'add', 'quay.io/podman/hello'], { env: env() });
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toContain('Docker Hub names only');
    const from = await lesson(['images', 'add', 'ubuntu', '--from', 'ftp://x'], { env: env() });
    expect(from.exitCode).toBe(2);
    expect(from.stderr).toContain('expected host, docker-archive:FILE or oci:DIR');
  });

  test('rm removes an image from the store and the cache, and its blobs from the disk', async () => {
    const before = await listImages({ cacheDir: join(cacheDir, 'lesson'), upstream: upstream.url });
    const removed = await lesson(['images', 'rm', 'python:3'], { env: env() });
    expect(removed.exitCode, removed.all).toBe(0);
    expect(removed.stdout).toMatch(/^removed python:3 sha256:\S+ from the store/m);
    const after = await listImages({ cacheDir: join(cacheDir, 'lesson'), upstream: upstream.url });
    expect(after.store.map((image) => image.repository)).not.toContain('library/python');
    expect(after.disk.store).toBeLessThan(before.disk.store);
    const missing = await lesson(['images', 'rm', 'nosuch'], { env: env() });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('nosuch: in neither the image store nor the cache');
  });

  test('prune keeps what snapshots pin and what was added by hand; the rest goes', async () => {
    const options = { cacheDir: join(cacheDir, 'lesson'), upstream: upstream.url };
    // By hand: redis (through the cache) and jpetazzo/clock (from a file). Only in the cache, and kept in the store for a pin no snapshot has any more: ubuntu.
    expect((await lesson(['images', 'add', 'redis'], { env: env() })).exitCode).toBe(0);
    expect((await lesson(['images', 'add', 'jpetazzo/clock', '--from', `oci:${ociLayout(byName('jpetazzo/clock'))}`], { env: env() })).exitCode).toBe(0);
    await lesson(['images', 'rm', 'ubuntu'], { env: env() });
    expect((await lesson(['run', page('ubuntu', 'true'), '--snapshots', mkdtempSync(join(tmpdir(), 'snap-'))], { env: env() })).exitCode).toBe(0);
    const redis = await upstream.digest('library/redis');
    const ubuntu = await upstream.digest('library/ubuntu');
    await keepInStore([{ ref: 'ubuntu:latest', digest: ubuntu, source: 'cache' }], options);
    expect((await storedImages(folders.store)).find((image) => image.digest === ubuntu)?.tags).toEqual([]);
    const snapshots = mkdtempSync(join(tmpdir(), 'snap-'));
    writeFileSync(join(snapshots, 'uses-redis.yaml'), `lesson: x.md\nenvironment:\n  image redis:latest: ${redis} (cache)\nsteps: {}\n`);

    const before = await listImages(options);
    const pruned = await lesson(['images', 'prune', '--snapshots', snapshots], { env: env() });
    expect(pruned.exitCode, pruned.all).toBe(0);
    expect(pruned.stdout).toContain(`removed ubuntu@${ubuntu} ${ubuntu} from the store`);
    expect(pruned.stdout).toMatch(/^2 images removed, \d+\.\d [kM]?B freed$/m);
    expect((await storedImages(folders.cache)).map((image) => image.digest)).toEqual([redis]);
    const store = await storedImages(folders.store);
    expect(store.some((image) => image.digest === ubuntu)).toBe(false);
    // Added by hand, pinned by no snapshot: stays.
    expect(store.find((image) => image.repository === 'jpetazzo/clock')?.tags).toEqual(['latest']);
    expect((await listImages(options)).disk.total).toBeLessThan(before.disk.total);
  });

  test('the cache stays under LESSON_CACHE_MAX: the images used longest ago go first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cap-'));
    const run = (image: string) => lesson(['run', page(image, 'true'), '--snapshots', mkdtempSync(join(tmpdir(), 'snap-'))], { env: { XDG_CACHE_HOME: dir, LESSON_REGISTRY_UPSTREAM: upstream.url } });
    for (const image of ['redis', 'ubuntu']) expect((await run(image)).exitCode).toBe(0);
    const cache = registryFolders({ cacheDir: join(dir, 'lesson'), upstream: upstream.url }).cache;
    const held = await storedImages(cache);
    expect(held.map((image) => image.repository).sort()).toEqual(['library/redis', 'library/ubuntu']);
    // The relay marked each as used when a run got it: redis first, then ubuntu.
    const used = Object.fromEntries(held.map((image) => [image.repository, image.lastUsed.getTime()]));
    expect(used['library/redis']).toBeLessThan(used['library/ubuntu']!);

    // A byte under what both hold: after the next run, only the one used last is left.
    const max = (await blobBytes(cache)) - 1;
    const capped = await lesson(['run', page('ubuntu', 'true'), '--snapshots', mkdtempSync(join(tmpdir(), 'snap-'))], { env: { XDG_CACHE_HOME: dir, LESSON_REGISTRY_UPSTREAM: upstream.url, LESSON_CACHE_MAX: String(max) } });
    expect(capped.exitCode, capped.all).toBe(0);
    expect((await storedImages(cache)).map((image) => image.repository)).toEqual(['library/ubuntu']);
    expect(await blobBytes(cache)).toBeLessThanOrEqual(max);
    expect(readdirSync(cache)).toContain('data');
  });

  test('capFolder leaves a folder under its cap alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cap-'));
    const sources = await openImageSources({ cacheDir: dir, upstream: upstream.url });
    await sources.release();
    expect(await capFolder(registryFolders({ cacheDir: dir, upstream: upstream.url }).cache, 10)).toEqual([]);
  });
});
