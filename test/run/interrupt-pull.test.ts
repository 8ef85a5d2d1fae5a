// Ctrl-C while a `docker pull` waits on the image cache, which waits on its upstream: the CLI returns
// with nothing of its run left, the cache's registry and relay included (the last run using them stops
// them), and the pull is reported interrupted. The upstream is a registry on 127.0.0.1 behind a proxy
// of the test's that holds every blob request, so the pull is caught mid-way every time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli, dockerSkipReason, root } from '../helpers.js';
import { Footprint } from '../reliability/footprint.js';
import { missingTools, Upstream } from './upstream.js';

const skip = dockerSkipReason() ?? missingTools();
if (skip) console.warn(`interrupt-during-a-pull test skipped: ${skip}`);

/** Forwards to the upstream, but answers no blob request: counts them instead. */
function stallingProxy(target: Upstream): Promise<{ server: Server; url: string; held: () => number }> {
  let held = 0;
  const server = createServer((incoming, outgoing) => {
    if (/\/blobs\/sha256:/.test(incoming.url ?? '') && incoming.method === 'GET') {
      held++;
      return;
    }
    const forward = request({ host: '127.0.0.1', port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}`, held: () => held });
    }),
  );
}

/** Registry and relay processes serving this cache folder. */
function cacheProcesses(cacheDir: string): string[] {
  return execaSync('ps', ['-eo', 'pid=,args='])
    .stdout.split('\n')
    .filter((line) => !line.endsWith('<defunct>') && line.includes(cacheDir));
}

describe.skipIf(skip)('an interrupt during a pull', () => {
  let upstream: Upstream;
  let proxy: Awaited<ReturnType<typeof stallingProxy>>;
  const work = mkdtempSync(join(tmpdir(), 'lesson-int-pull-'));

  beforeAll(async () => {
    upstream = await Upstream.start();
    await upstream.seed();
    proxy = await stallingProxy(upstream);
  });
  afterAll(async () => {
    proxy?.server.closeAllConnections();
    proxy?.server.close();
    await upstream?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('ends the run with nothing left, the cache stopped, the pull reported interrupted', async () => {
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const page = join(work, 'pull.md');
    const lines = ['---', 'requires: [docker]', 'timeout: 10m', '---', '# Pull', '', '```console', '$ docker pull ubuntu', '$ echo after', '```', ''];
    writeFileSync(page, lines.join('\n'));
    const footprint = new Footprint();
    try {
      const child = execa('node', [cli, 'run', page, '--snapshots', work], {
        cwd: root,
        env: { NO_COLOR: '1', CI: '', XDG_CACHE_HOME: cacheDir, LESSON_REGISTRY_UPSTREAM: proxy.url, ...footprint.env },
        all: true,
        reject: false,
      });
      let output = '';
      child.all!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      // Caught mid-pull: the cache asked the upstream for a layer, and the census sees the engine and the cache.
      while (proxy.held() === 0) {
        if (child.exitCode !== null) throw new Error(`lesson exited before the pull reached a layer:\n${output}`);
        await new Promise((wait) => setTimeout(wait, 50));
      }
      expect(footprint.now().join('\n')).toMatch(/: dockerd /);
      expect(cacheProcesses(cacheDir).join('\n')).toMatch(/docker-registry/);

      child.kill('SIGINT');
      const ended = await child;
      expect(footprint.now(), output).toEqual([]);
      expect(cacheProcesses(cacheDir), output).toEqual([]);
      expect(ended.exitCode, output).toBe(130);
      expect(output).toMatch(new RegExp(`^ {2}■ ${page}:8 {2}docker pull ubuntu .*\\n {4}interrupted by SIGINT$`, 'm'));
      expect(output).toMatch(new RegExp(`^ {2}○ ${page}:9 {2}echo after$`, 'm'));
    } finally {
      footprint.remove();
    }
  });
});
