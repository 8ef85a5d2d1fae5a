import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openImageSources, openRegistry, upstreamKey } from '../../src/run/image-cache.js';
import { root } from '../helpers.js';
import { missingTools, registryHelpers, Upstream } from './upstream.js';

const skip = process.getuid?.() === 0 ? missingTools() : 'needs root';
if (skip) console.warn(`skipping the image cache tests: ${skip}`);

function get(socket: string, path: string, accept?: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, headers: accept ? { accept } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Pulls `repository:latest` as an engine does (manifest, then config and layers), checking every digest. */
async function pull(socket: string, repository: string): Promise<string[]> {
  const manifest = await get(socket, `/v2/${repository}/manifests/latest`, 'application/vnd.docker.distribution.manifest.v2+json');
  expect(manifest.status, manifest.body.toString()).toBe(200);
  const parsed = JSON.parse(manifest.body.toString()) as { config: { digest: string }; layers: { digest: string }[] };
  const digests = [parsed.config.digest, ...parsed.layers.map((l) => l.digest)];
  for (const digest of digests) {
    const blob = await get(socket, `/v2/${repository}/blobs/${digest}`);
    expect(blob.status).toBe(200);
    expect(`sha256:${createHash('sha256').update(blob.body).digest('hex')}`).toBe(digest);
  }
  return digests;
}

/** Registry processes serving from `folder`. */
function registries(folder: string): string[] {
  return helpers(folder).filter((line) => /^\s*\d+ docker-registry serve /.test(line));
}

/** Registry, relay and lock processes working for `cacheDir` (or a registry folder): none may outlive their users. */
function helpers(cacheDir: string): string[] {
  return registryHelpers(cacheDir, upstreamUrl, [cacheDir]);
}
let upstreamUrl: string | undefined;

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await sleep(20);
  expect(condition(), what).toBe(true);
}

describe.skipIf(skip)('the image cache and store, with a test upstream on 127.0.0.1', () => {
  let upstream: Upstream;
  let cacheDir: string;

  beforeAll(async () => {
    upstream = await Upstream.start();
    upstreamUrl = upstream.url;
    await upstream.seed();
    cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
  });
  afterAll(async () => {
    await upstream?.stop();
  });

  test('the first run pulls from upstream, the second from the cache only, and nothing is left running', async () => {
    upstream.clearLog();
    const first = await openImageSources({ cacheDir, upstream: upstream.url });
    expect(first.cache.mode).toBe('proxy');
    const digests = await pull(first.cache.socket, 'library/ubuntu');
    await pull(first.cache.socket, 'jpetazzo/clock');
    await first.release();
    expect(helpers(cacheDir)).toEqual([]);
    const fetched = upstream.blobRequests();
    for (const digest of digests) expect(fetched.some((line) => line.includes(digest)), digest).toBe(true);

    upstream.clearLog();
    const second = await openImageSources({ cacheDir, upstream: upstream.url });
    expect(await pull(second.cache.socket, 'library/ubuntu')).toEqual(digests);
    await second.release();
    expect(upstream.blobRequests()).toEqual([]);
    expect(helpers(cacheDir)).toEqual([]);
    // The cache's folder is named after its upstream, beside the store.
    expect(readFileSync(join(cacheDir, 'registry', upstreamKey(upstream.url), 'config.yml'), 'utf8')).toContain(upstream.url);
  });

  test('with the upstream stopped, what is cached still pulls', async () => {
    const warm = await openImageSources({ cacheDir, upstream: upstream.url });
    const digests = await pull(warm.cache.socket, 'library/redis');
    await warm.release();
    await upstream.stop();
    try {
      const offline = await openImageSources({ cacheDir, upstream: upstream.url });
      // A 2.8 proxy cannot start without its upstream: the folder is served as it is.
      expect(offline.cache.mode).toBe('plain');
      expect(await pull(offline.cache.socket, 'library/redis')).toEqual(digests);
      expect(await pull(offline.cache.socket, 'library/ubuntu')).toHaveLength(3);
      expect((await get(offline.cache.socket, '/v2/library/debian/manifests/latest')).status).toBe(404);
      await offline.release();
    } finally {
      await upstream.resume();
    }
    expect(helpers(cacheDir)).toEqual([]);
  });

  test('users in this process share one registry, which stops when the last lets go', async () => {
    const folder = join(cacheDir, 'shared');
    const [a, b] = await Promise.all([openRegistry(folder, upstream.url), openRegistry(folder, upstream.url)]);
    expect(a.socket).toBe(b.socket);
    expect(registries(folder)).toHaveLength(1);
    await a.release();
    await pull(b.socket, 'library/ubuntu');
    await b.release();
    expect(helpers(folder)).toEqual([]);
  });

  describe('users in other processes', () => {
    let bundle: string;
    beforeAll(async () => {
      // Bare node cannot load TypeScript: the module is bundled, as the CLI is.
      bundle = join(mkdtempSync(join(tmpdir(), 'bundle-')), 'image-cache.cjs');
      await build({ entryPoints: [join(root, 'src/run/image-cache.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'warning' });
    });

    function user() {
      const child = spawn(process.execPath, [join(root, 'test/fixtures/registry-user.mjs'), bundle, cacheDir, upstream.url], { stdio: ['pipe', 'pipe', 'inherit'] });
      const lines = createInterface({ input: child.stdout });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const next = () => Promise.race([
        new Promise<string>((resolve) => lines.once('line', resolve)),
        exited.then((status) => `exited with ${status}`),
      ]);
      return { child, next, exited };
    }

    test('share one registry process; the last one to go stops it', async () => {
      const one = user();
      const two = user();
      const [openOne, openTwo] = await Promise.all([one.next(), two.next()]);
      expect(openOne).toMatch(/^open /);
      expect(openOne).toBe(openTwo);
      const cacheSocket = openOne.split(' ')[2]!;
      expect(registries(join(cacheDir, 'registry', upstreamKey(upstream.url)))).toHaveLength(1);
      one.child.stdin.end();
      expect(await one.next()).toBe('released');
      await pull(cacheSocket, 'jpetazzo/clock');
      two.child.stdin.end();
      expect(await two.next()).toBe('released');
      await Promise.all([one.exited, two.exited]);
      expect(helpers(cacheDir)).toEqual([]);
    });

    test('a user killed without letting go: the registry stops by itself', async () => {
      const one = user();
      expect(await one.next()).toMatch(/^open /);
      one.child.kill('SIGKILL');
      await one.exited;
      await until(() => helpers(cacheDir).length === 0, `left running: ${helpers(cacheDir).join('\n')}`);
      // And the next user starts afresh.
      const next = await openImageSources({ cacheDir, upstream: upstream.url });
      await pull(next.cache.socket, 'library/ubuntu');
      await next.release();
      expect(helpers(cacheDir)).toEqual([]);
    });
  });
});
