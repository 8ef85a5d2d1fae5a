// The upstream's credentials reach the cache's registry and nothing else: not a snapshot, a report, a
// log, a process's command line or a step's environment. And `--registry-upstream` picks the upstream,
// one cache folder and one registry process per upstream. Upstreams here are registries on 127.0.0.1.

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openImageSources, registryFolders, upstreamKey } from '../../src/run/image-cache.js';
import { dockerSkipReason, lesson, noUpstream } from '../helpers.js';
import { missingTools, standIns, Upstream } from './upstream.js';

const skip = dockerSkipReason() ?? missingTools() ?? (execaSync('sh', ['-c', 'command -v openssl'], { reject: false }).exitCode === 0 ? undefined : 'openssl is missing: run `bash scripts/setup.sh`');
if (skip) console.warn(`skipping upstream credentials: ${skip}`);

const ubuntu = standIns.filter((image) => image.repository === 'library/ubuntu');

function page(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'page-')), 'private.md');
  writeFileSync(path, [
    '---', 'requires: [docker]', '---', '# A private upstream', '',
    '```console', '$ docker run --rm ubuntu cat /etc/os-release', '```', '',
    '```console', '$ env | grep LESSON_REGISTRY_PASSWORD || echo none', 'none', '```', '',
  ].join('\n'));
  return path;
}

/** Every process's command line, read now. */
function commandLines(): string {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      return '';
    }
  }).join('\n');
}

/** Runs `work` while watching every command line for `secret` every 50 ms; returns what work returned and whether the secret showed. */
async function watchingArgv<T>(secret: string, work: () => Promise<T>): Promise<[T, boolean]> {
  let seen = false;
  const timer = setInterval(() => {
    seen ||= commandLines().includes(secret);
  }, 50);
  try {
    return [await work(), seen];
  } finally {
    clearInterval(timer);
  }
}

/** Every file under `dir`, read as text. */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => readFileSync(join(entry.parentPath, entry.name), 'latin1')).join('\n');
}

describe.skipIf(skip)('an upstream that asks for a password', () => {
  const auth = { username: 'reader', password: `pw-${randomBytes(12).toString('hex')}` };
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await Upstream.start(auth);
    await upstream.seed(ubuntu);
  });
  afterAll(async () => {
    await upstream?.stop();
  });

  test('without credentials the pull is refused', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
    const run = await lesson(['run', page(), '--snapshots', mkdtempSync(join(tmpdir(), 'snap-'))], { env: { XDG_CACHE_HOME: cacheDir, LESSON_REGISTRY_UPSTREAM: upstream.url, DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'docker-')) } });
    expect(run.exitCode, run.all).not.toBe(0);
    expect(run.all).toMatch(/ubuntu(:latest)? is neither in the image cache nor reachable/);
  });

  test('credentials from the environment reach the cache only', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
    const snapshots = mkdtempSync(join(tmpdir(), 'snap-'));
    const reports = mkdtempSync(join(tmpdir(), 'reports-'));
    const env = { XDG_CACHE_HOME: cacheDir, LESSON_REGISTRY_UPSTREAM: upstream.url, LESSON_REGISTRY_USERNAME: auth.username, LESSON_REGISTRY_PASSWORD: auth.password };
    const [run, inArgv] = await watchingArgv(auth.password, () =>
      lesson(['check', page(), '--snapshots', snapshots, '--reporter', 'default', '--reporter', `json=${join(reports, 'report.json')}`, '--reporter', `junit=${join(reports, 'junit.xml')}`], { env }),
    );
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toContain('1 passed');
    expect(inArgv).toBe(false);
    expect(run.all).not.toContain(auth.password);
    expect(allText(reports)).not.toContain(auth.password);
    const snapshot = allText(snapshots);
    expect(snapshot).toContain('Ubuntu stand-in');
    expect(snapshot).not.toContain(auth.password);
    // Handed to the registry in its config file, which only its owner may read; never in its log.
    const cache = registryFolders({ cacheDir: join(cacheDir, 'lesson'), upstream: upstream.url }).cache;
    expect(readFileSync(join(cache, 'config.yml'), 'utf8')).toContain(auth.password);
    expect(statSync(join(cache, 'config.yml')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(cache, 'registry.log'), 'utf8')).not.toContain(auth.password);
  });

  test("credentials from the user's Docker login", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
    const dockerConfig = mkdtempSync(join(tmpdir(), 'docker-'));
    const host = new URL(upstream.url).host;
    writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${auth.username}:${auth.password}`).toString('base64') } } }));
    const [run, inArgv] = await watchingArgv(auth.password, () =>
      lesson(['run', page(), '--snapshots', mkdtempSync(join(tmpdir(), 'snap-'))], { env: { XDG_CACHE_HOME: cacheDir, LESSON_REGISTRY_UPSTREAM: upstream.url, DOCKER_CONFIG: dockerConfig } }),
    );
    expect(run.exitCode, run.all).toBe(0);
    expect(inArgv).toBe(false);
    expect(run.all).not.toContain(auth.password);
  });
});

describe.skipIf(skip)('--registry-upstream', () => {
  let one: Upstream;
  let two: Upstream;

  beforeAll(async () => {
    [one, two] = await Promise.all([Upstream.start(), Upstream.start()]);
    await Promise.all([one.seed(ubuntu), two.seed(ubuntu)]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
  });

  test('overrides LESSON_REGISTRY_UPSTREAM, for runs and for the images a check needs', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
    const declared = page().replace(/private\.md$/, 'declared.md');
    writeFileSync(declared, readFileSync(page(), 'utf8').replace('requires: [docker]', 'requires: [docker]\nimages: [ubuntu]'));
    const env = { XDG_CACHE_HOME: cacheDir, LESSON_REGISTRY_UPSTREAM: noUpstream, CI: '' };
    const run = await lesson(['check', declared, '--no-skip', '--registry-upstream', one.url, '--snapshots', mkdtempSync(join(tmpdir(), 'snap-'))], { env });
    expect(run.exitCode, run.all).toBe(0);
    expect(one.blobRequests().length).toBeGreaterThan(0);
    expect(readdirSync(join(cacheDir, 'lesson', 'registry')).sort()).toEqual([upstreamKey(one.url), 'store'].sort());
  });

  test('one cache folder and one registry process per upstream, shared by its users', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
    mkdirSync(cacheDir, { recursive: true });
    const opened = await Promise.all([one.url, two.url, one.url].map((upstream) => openImageSources({ cacheDir, upstream })));
    try {
      expect(opened[0]!.cache.socket).toBe(opened[2]!.cache.socket);
      expect(opened[0]!.cache.socket).not.toBe(opened[1]!.cache.socket);
      const serving = execaSync('ps', ['-eo', 'args=']).stdout.split('\n').filter((line) => line.startsWith('docker-registry serve') && line.includes(cacheDir));
      expect(serving.sort()).toEqual([
        `docker-registry serve ${join(cacheDir, 'registry', 'store', 'config.yml')}`,
        `docker-registry serve ${join(cacheDir, 'registry', upstreamKey(one.url), 'config.yml')}`,
        `docker-registry serve ${join(cacheDir, 'registry', upstreamKey(two.url), 'config.yml')}`,
      ].sort());
    } finally {
      for (const sources of opened) await sources.release();
    }
  });
});
