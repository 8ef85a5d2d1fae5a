// Faults between private engines and the image registries, injected into real runs against a test
// upstream on 127.0.0.1: the cache killed mid-pull, a corrupted blob in the cache's folder, the cache's
// disk full. Each says what happened in one line, loses nothing else, and the next run passes.

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registryFolders } from '../../src/run/image-cache.js';
import { blobData, registryRoot } from '../../src/run/registry-storage.js';
import { storedImages } from '../../src/run/registry-prune.js';
import { dockerSkipReason, lesson } from '../helpers.js';
import { missingTools, standIns, Upstream } from '../run/upstream.js';

const skip = dockerSkipReason() ?? missingTools();
if (skip) console.warn(`skipping image faults: ${skip}`);

function page(image: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'page-')), 'pulls.md');
  writeFileSync(path, ['---', 'requires: [docker]', '---', '# Pulls an image', '', '```console', `$ docker run --rm ${image} cat /etc/os-release`, '```', ''].join('\n'));
  return path;
}

/** Registry and relay processes working for `cacheDir`: none may outlive a run. */
function helpers(cacheDir: string): string[] {
  return execaSync('ps', ['-eo', 'pid=,args=']).stdout.split('\n').filter((line) => !line.endsWith('<defunct>') && line.includes(cacheDir));
}

/** A way to the upstream that sends blobs slowly, counting what it sent: a pull lasts long enough to be cut. */
async function slowWay(target: string): Promise<{ url: string; sent: () => number; close: () => void }> {
  let sent = 0;
  const server: Server = createServer((req, res) => {
    const out = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (req.method !== 'GET' || !/\/blobs\//.test(req.url ?? '')) {
        answer.pipe(res);
        return;
      }
      answer.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        answer.pause();
        res.write(chunk);
        setTimeout(() => answer.resume(), 100);
      });
      answer.on('end', () => res.end());
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, sent: () => sent, close: () => server.close() };
}

describe.skipIf(skip)('faults on the way to images', () => {
  let upstream: Upstream;
  const snapshots = () => mkdtempSync(join(tmpdir(), 'snap-'));

  beforeAll(async () => {
    upstream = await Upstream.start();
    await upstream.seed([
      ...standIns.filter((image) => ['library/ubuntu', 'library/redis'].includes(image.repository)),
      // A layer of its own bigger than the room a nearly full disk leaves.
      { repository: 'library/bulky', cmd: ['/bin/sh'], files: { 'etc/os-release': { content: 'NAME="bulky"\n' }, 'data/noise': { content: randomBytes(1 << 20).toString('base64') } } },
    ]);
  });
  afterAll(async () => {
    await upstream?.stop();
  });

  test('the cache killed mid-pull: the step says so, nothing is left running, the next run starts a new cache', async () => {
    const way = await slowWay(upstream.url);
    const cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
    const env = { XDG_CACHE_HOME: cacheDir, LESSON_REGISTRY_UPSTREAM: way.url };
    const cache = registryFolders({ cacheDir: join(cacheDir, 'lesson'), upstream: way.url }).cache;
    try {
      const running = lesson(['run', page('ubuntu'), '--snapshots', snapshots()], { env });
      for (let i = 0; i < 3000 && way.sent() === 0; i++) await sleep(10);
      expect(way.sent()).toBeGreaterThan(0);
      const registry = helpers(cacheDir).find((line) => line.includes(`docker-registry serve ${cache}/config.yml`));
      expect(registry).toBeDefined();
      process.kill(Number(registry!.trim().split(/\s+/)[0]), 'SIGKILL');
      const cut = await running;
      expect(cut.exitCode).toBe(1);
      expect(cut.all).toMatch(/✗ \S+pulls\.md:7 {2}docker run --rm ubuntu cat \/etc\/os-release .*\n {4}the image cache stopped answering during the pull \([^)]+\); its log: \S+registry\.log\. The next run starts it again/);
      expect(helpers(cacheDir)).toEqual([]);

      const next = await lesson(['run', page('ubuntu'), '--snapshots', snapshots()], { env });
      expect(next.exitCode, next.all).toBe(0);
      expect(helpers(cacheDir)).toEqual([]);
    } finally {
      way.close();
    }
  }, 240_000);

  test('a corrupted blob in the cache: the pull fails saying so, the copy is dropped, the next run fetches it again', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
    const env = { XDG_CACHE_HOME: cacheDir, LESSON_REGISTRY_UPSTREAM: upstream.url };
    expect((await lesson(['run', page('ubuntu'), '--snapshots', snapshots()], { env })).exitCode).toBe(0);
    const cache = registryFolders({ cacheDir: join(cacheDir, 'lesson'), upstream: upstream.url }).cache;
    const [image] = await storedImages(cache);
    // The image's own layer (after its manifest, config and the shared busybox layer), overwritten with as many other bytes.
    const layer = image!.blobs.at(-1)!;
    const file = blobData(registryRoot(cache), layer);
    writeFileSync(file, Buffer.alloc(readFileSync(file).length, 0x2a));

    const failed = await lesson(['run', page('ubuntu'), '--snapshots', snapshots()], { env });
    expect(failed.exitCode).toBe(1);
    expect(failed.all).toMatch(new RegExp(`✗ \\S+pulls\\.md:7 .*\\n {4}the image cache held a corrupted copy of ${layer} \\(its content has another digest\\): it is dropped: the next pull fetches it again`));
    expect(existsSync(file)).toBe(false);

    upstream.clearLog();
    const healed = await lesson(['run', page('ubuntu'), '--snapshots', snapshots()], { env });
    expect(healed.exitCode, healed.all).toBe(0);
    expect(healed.all).not.toContain('corrupted');
    expect(upstream.blobRequests().some((line) => line.includes(layer))).toBe(true);
    expect(`sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`).toBe(layer);
  }, 240_000);

  describe('the cache on a full disk', () => {
    let home: string;
    let disk: string;
    // The registries' folder on a small disk of its own; the rest of the user's cache (the base image) elsewhere.
    beforeAll(() => {
      home = mkdtempSync(join(tmpdir(), 'cache-'));
      disk = join(home, 'lesson', 'registry');
      mkdirSync(disk, { recursive: true });
      execaSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', disk]);
    });
    afterAll(async () => {
      // A registry stopped a moment ago may still hold a file there for a while.
      for (let i = 0; i < 50 && execaSync('umount', [disk], { reject: false }).exitCode !== 0; i++) await sleep(100);
      execaSync('umount', ['--lazy', disk], { reject: false });
    });

    test('says the disk is full, loses nothing the cache held, and pulls again once there is room', async () => {
      const env = { XDG_CACHE_HOME: home, LESSON_REGISTRY_UPSTREAM: upstream.url };
      const cache = registryFolders({ cacheDir: join(home, 'lesson'), upstream: upstream.url }).cache;
      const said = `the image cache's disk is full (${cache}): it cannot keep what it pulls`;
      expect((await lesson(['run', page('ubuntu'), '--snapshots', snapshots()], { env })).exitCode).toBe(0);
      const filler = join(disk, 'filler');
      const fill = (leave: number) => {
        const { bavail, bsize } = statfsSync(disk);
        writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - leave)));
      };
      try {
        // Room for a manifest, not for a layer: the pull goes through, the cache keeps nothing of it, and says so.
        fill(256 * 1024);
        const nearly = await lesson(['run', page('bulky'), '--snapshots', snapshots()], { env });
        expect(nearly.exitCode, nearly.all).toBe(0);
        expect(nearly.all).toContain(`note: ${said}`);
        // No room at all: the cache cannot start, in one line.
        rmSync(filler);
        fill(0);
        const full = await lesson(['run', page('redis'), '--snapshots', snapshots()], { env });
        expect(full.exitCode).toBe(2);
        // The store and the cache share the disk: whichever starts first says so.
        expect(full.stderr).toMatch(new RegExp(`^error the image (store|cache)'s disk is full \\(${disk}/\\S+\\): it cannot keep what it pulls; free space there, or cap the cache with LESSON_CACHE_MAX \\(\`lesson images prune\` removes what no snapshot pins\\)$`));
        expect(helpers(home)).toEqual([]);
      } finally {
        rmSync(filler, { force: true });
      }
      // Nothing the cache held was lost: ubuntu comes from it alone.
      upstream.clearLog();
      const again = await lesson(['run', page('ubuntu'), '--snapshots', snapshots()], { env });
      expect(again.exitCode, again.all).toBe(0);
      expect(upstream.blobRequests()).toEqual([]);
    }, 240_000);
  });
});
