// A lesson's declared images can be had when the store or the cache holds them, or the upstream
// answers; otherwise `check` skips the lesson, with why. Upstreams here are servers on loopback.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { upstreamKey } from '../../src/run/image-cache.js';
import { imagesUnavailable } from '../../src/run/image-availability.js';
import { lesson, noUpstream } from '../helpers.js';

let server: Server;
let upstream: string;
let requests = 0;
let cache: string;

beforeAll(async () => {
  server = createServer((_, reply) => {
    requests++;
    reply.writeHead(401).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  cache = mkdtempSync(join(tmpdir(), 'lesson-cache-'));
  process.env.XDG_CACHE_HOME = cache;
});

afterAll(async () => {
  delete process.env.XDG_CACHE_HOME;
  await new Promise((resolve) => server.close(resolve));
});

/** Puts a tag into a registry folder on disk, as a pull through the cache leaves it. */
function hold(folder: string, repository: string, tag: string): void {
  const dir = join(cache, 'lesson', 'registry', folder, 'data/docker/registry/v2/repositories', repository, '_manifests/tags', tag, 'current');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'link'), 'sha256:0');
}

describe('declared images', () => {
  test('an upstream that answers, even with 401, is enough', async () => {
    expect(await imagesUnavailable(['redis:7'], upstream)).toBeUndefined();
    expect(requests).toBe(1);
  });

  test('images the cache or the store holds need no upstream at all', async () => {
    hold(upstreamKey(noUpstream), 'library/ubuntu', 'latest');
    hold('store', 'jpetazzo/clock', 'latest');
    const before = requests;
    expect(await imagesUnavailable(['ubuntu', 'jpetazzo/clock'], noUpstream)).toBeUndefined();
    expect(requests).toBe(before);
  });

  test('an image held nowhere, with an upstream that does not answer: the reason names the image and the fix', async () => {
    const reason = await imagesUnavailable(['ubuntu', 'redis'], noUpstream);
    expect(reason).toBe(
      `image redis is in neither the image store nor the cache, and ${noUpstream} does not answer (ECONNREFUSED): run the lesson once where it does (the cache keeps what it pulls), or set LESSON_REGISTRY_UPSTREAM to a mirror`,
    );
  });

  test('check skips such a lesson with the reason, and --no-skip fails it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-images-'));
    const page = join(dir, 'pulls.md');
    writeFileSync(page, '---\nimages: [redis]\n---\n# Redis\n\n```console\n$ docker run --rm redis redis-server --version\n```\n');
    const env = { XDG_CACHE_HOME: cache };
    const skipped = await lesson(['check', page, '--snapshots', dir], { env });
    expect(skipped.stdout).toContain(`skipped: image redis is in neither the image store nor the cache, and ${noUpstream} does not answer`);
    expect(skipped.exitCode).toBe(0);
    const failed = await lesson(['check', page, '--snapshots', dir, '--no-skip'], { env });
    expect(failed.exitCode).toBe(1);
  });
});
