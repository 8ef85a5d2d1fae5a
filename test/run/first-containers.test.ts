import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { upstreamKey } from '../../src/run/image-cache.js';
import { storedImages } from '../../src/run/registry-prune.js';
import { dockerSkipReason, lesson, root } from '../helpers.js';
import { missingTools, registryHelpers, Upstream } from './upstream.js';

const skip = dockerSkipReason() ?? missingTools();
if (skip) console.warn(`skipping the first-containers lesson against the test upstream: ${skip}`);

// The lesson's snapshot for the test upstream's stand-ins; on a machine with internet the lesson
// checks itself against its own page.
const snapshots = join(root, 'test/fixtures/images/snapshots');

/** Registry and relay processes of this file's runs: none may outlive them. */
function helpers(cacheDir: string): string[] {
  return registryHelpers(join(cacheDir, 'lesson'), upstreamUrl);
}
let upstreamUrl: string | undefined;

describe.skipIf(skip)('lessons that pull images, run by the CLI against a test upstream', () => {
  let upstream: Upstream;
  let cacheDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    upstream = await Upstream.start();
    upstreamUrl = upstream.url;
    await upstream.seed();
    cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
    // LESSON_RECORD=1 records the snapshot instead of checking it.
    env = { CI: process.env.LESSON_RECORD ? '' : 'true', XDG_CACHE_HOME: cacheDir, LESSON_REGISTRY_UPSTREAM: upstream.url };
  });
  afterAll(async () => {
    await upstream?.stop();
  });

  test('first-containers passes against its snapshot, cold then warm, and leaves nothing running', async () => {
    upstream.clearLog();
    const cold = await lesson(['run', 'lessons/first-containers.md', '--snapshots', snapshots], { env });
    expect(cold.all).toMatch(/\b0 failed\b/);
    expect(cold.exitCode, cold.all).toBe(0);
    expect(upstream.blobRequests().length).toBeGreaterThan(0);
    expect(helpers(cacheDir)).toEqual([]);

    upstream.clearLog();
    const warm = await lesson(['run', 'lessons/first-containers.md', '--snapshots', snapshots], { env });
    expect(warm.exitCode, warm.all).toBe(0);
    expect(upstream.blobRequests()).toEqual([]);
    expect(helpers(cacheDir)).toEqual([]);
  });

  test('two lessons checked at once share the cache', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'cache-'));
    const run = await lesson(
      ['check', '--jobs', '2', 'lessons/first-containers.md', 'test/fixtures/images/hello-ubuntu.md', '--snapshots', snapshots],
      { env: { ...env, CI: 'true', XDG_CACHE_HOME: fresh } },
    );
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toMatch(/2 passed/);
    expect(helpers(fresh)).toEqual([]);
    // One cache folder for the upstream, beside the store: nothing per lesson.
    expect(execaSync('ls', [join(fresh, 'lesson', 'registry')]).stdout.split('\n').sort()).toEqual([upstreamKey(upstream.url), 'store'].sort());
    // Both pulled ubuntu at once: the cache holds it once.
    const cached = (await storedImages(join(fresh, 'lesson', 'registry', upstreamKey(upstream.url)))).filter((image) => image.repository === 'library/ubuntu');
    expect(cached).toHaveLength(1);
    expect(cached[0]!.complete).toBe(true);
  });

  test('an image that is neither cached nor upstream fails its step naming it', async () => {
    const page = join(mkdtempSync(join(tmpdir(), 'page-')), 'missing.md');
    execaSync('sh', ['-c', `printf '%s\\n' '---' 'requires: [docker]' '---' '# Missing' '' '\`\`\`console' '$ docker pull nosuch/image' '\`\`\`' > ${page}`]);
    await upstream.stop();
    try {
      const run = await lesson(['run', page, '--snapshots', mkdtempSync(join(tmpdir(), 'snap-'))], { env: { ...env, CI: '' } });
      expect(run.exitCode).not.toBe(0);
      expect(run.all).toContain('nosuch/image is neither in the image cache nor reachable');
    } finally {
      await upstream.resume();
    }
    expect(helpers(cacheDir)).toEqual([]);
  });
});
