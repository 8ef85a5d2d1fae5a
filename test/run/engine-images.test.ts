import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { relayPorts } from '../../src/run/engine-images.js';
import { startPrivateEngine, type Engine } from '../../src/run/engine.js';
import { dockerSkipReason } from '../helpers.js';
import { missingTools, registryHelpers, Upstream } from './upstream.js';

const skip = dockerSkipReason() ?? missingTools();
if (skip) console.warn(`skipping private engines pulling through the image cache: ${skip}`);

/** Registry and relay processes of this file's runs: none may outlive them. */
function helpers(cacheDir: string): string[] {
  return registryHelpers(cacheDir, upstreamUrl);
}
let upstreamUrl: string | undefined;

function docker(engine: Engine, args: string[]) {
  return execa('docker', args, { env: { ...process.env, ...engine.env }, reject: false, all: true });
}

test('relays keep away from the ports a page mentions, 5000 and the ephemeral range', () => {
  const [store, cache] = relayPorts('docker run -p 5000:5000 registry');
  expect(store).not.toBe(cache);
  for (const port of [store, cache]) {
    expect(port).not.toBe(5000);
    expect(port).toBeLessThan(32768);
  }
  expect(relayPorts(`-p ${store}:80`)).not.toContain(store);
});

describe.skipIf(skip)('a private engine pulls Docker Hub names through the cache', () => {
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

  async function withEngine(work: (engine: Engine) => Promise<void>): Promise<void> {
    const engine = await startPrivateEngine({ images: { cacheDir, upstream: upstream.url } });
    try {
      await work(engine);
    } finally {
      await engine.stop();
    }
    expect(helpers(cacheDir)).toEqual([]);
  }

  test('cold from upstream, warm from the cache alone, and offline from the cache', async () => {
    upstream.clearLog();
    await withEngine(async (engine) => {
      const run = await docker(engine, ['run', '--rm', 'ubuntu', 'cat', '/etc/os-release']);
      expect(run.all).toContain("Unable to find image 'ubuntu:latest' locally");
      expect(run.all).toContain('NAME="Ubuntu stand-in"');
      expect(run.exitCode).toBe(0);
      const clock = await docker(engine, ['run', '--rm', 'jpetazzo/clock', 'sh', '-c', 'date >/dev/null && echo tick']);
      expect(clock.all).toContain('tick');
    });
    expect(upstream.blobRequests().some((line) => line.includes('/v2/library/ubuntu/blobs/'))).toBe(true);

    upstream.clearLog();
    await withEngine(async (engine) => {
      const pulled = await docker(engine, ['pull', 'ubuntu']);
      expect(pulled.exitCode, pulled.all).toBe(0);
    });
    expect(upstream.blobRequests()).toEqual([]);

    await upstream.stop();
    try {
      await withEngine(async (engine) => {
        const pulled = await docker(engine, ['pull', 'jpetazzo/clock']);
        expect(pulled.exitCode, pulled.all).toBe(0);
        // What was never cached cannot come from anywhere.
        const missing = await docker(engine, ['pull', 'redis']);
        expect(missing.exitCode).not.toBe(0);
      });
    } finally {
      await upstream.resume();
    }
  });

  test('a page may publish port 5000 while the relays run', async () => {
    await withEngine(async (engine) => {
      const served = await docker(engine, ['run', '-d', '-p', '5000:5000', 'redis']);
      expect(served.exitCode, served.all).toBe(0);
    });
  });
});
