// Benchmark: a 30 MB image pulled into a fresh private engine, cold (the upstream through the cache)
// and warm (the cache alone), against `docker load` of the same image and against an engine that
// already holds it. The image is built here (busybox and 30 MB of random bytes, which no compression
// shrinks), the upstream is Debian's docker-registry on 127.0.0.1: nothing leaves the machine.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, copyFileSync, writeFileSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { benchEnv, median, root, seconds, table } from './lib.mjs';

const IMAGE = 'bench/pull30';
const SIZE = 30 * 1024 * 1024;

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

function layer(dir) {
  const tar = execFileSync('tar', ['--create', '--sort=name', '--mtime=@0', '--numeric-owner', '--owner=0', '--group=0', '-C', dir, '.'], { maxBuffer: 1 << 30 });
  // Level 1: random bytes do not shrink, and the default level only costs time here.
  return { gz: gzipSync(tar, { level: 1 }), diffId: `sha256:${sha256(tar)}` };
}

/** The image as an OCI layout: the busybox layer every stand-in has, then one of random bytes. */
function ociImage(work) {
  const base = join(work, 'base');
  for (const sub of ['bin', 'etc', 'tmp']) mkdirSync(join(base, sub), { recursive: true });
  copyFileSync('/bin/busybox', join(base, 'bin/busybox'));
  symlinkSync('busybox', join(base, 'bin/sh'));
  symlinkSync('busybox', join(base, 'bin/true'));
  const noise = join(work, 'noise');
  mkdirSync(join(noise, 'data'), { recursive: true });
  writeFileSync(join(noise, 'data/noise'), randomBytes(SIZE));
  const layers = [layer(base), layer(noise)];
  const out = join(work, 'oci');
  mkdirSync(join(out, 'blobs/sha256'), { recursive: true });
  const blob = (data, mediaType) => {
    const digest = sha256(data);
    writeFileSync(join(out, 'blobs/sha256', digest), data);
    return { mediaType, digest: `sha256:${digest}`, size: Buffer.byteLength(data) };
  };
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: blob(config, 'application/vnd.oci.image.config.v1+json'),
    layers: layers.map((l) => blob(l.gz, 'application/vnd.oci.image.layer.v1.tar+gzip')),
  });
  writeFileSync(join(out, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...blob(manifest, 'application/vnd.oci.image.manifest.v1+json'), annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] }));
  writeFileSync(join(out, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return out;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startUpstream(work) {
  const port = await freePort();
  const config = join(work, 'upstream.yml');
  writeFileSync(config, JSON.stringify({ version: 0.1, log: { level: 'error' }, storage: { filesystem: { rootdirectory: join(work, 'upstream') } }, http: { addr: `127.0.0.1:${port}` } }));
  const log = openSync(join(work, 'upstream.log'), 'a');
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', log, log] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 500; i++) {
    if (await fetch(`${url}/v2/`).then((r) => r.ok, () => false)) return { url, port, stop: () => child.kill('SIGKILL') };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the upstream registry did not start: ${readFileSync(join(work, 'upstream.log'), 'utf8')}`);
}

/** The engine module, bundled as the CLI is (bare node cannot load TypeScript). */
async function engineModule(work) {
  const outfile = join(work, 'engine.cjs');
  await build({ entryPoints: [join(root, 'src/run/engine.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'warning' });
  return createRequire(import.meta.url)(outfile);
}

/** Seconds a docker command takes. Not a synchronous child: the relay to the registries runs in this process. */
async function timed(engine, args) {
  const started = process.hrtime.bigint();
  const child = spawn('docker', args, { env: benchEnv(engine.env), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const status = await new Promise((resolve) => child.on('exit', resolve));
  if (status !== 0) throw new Error(`docker ${args.join(' ')} exited ${status}: ${stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export async function benchPull(runs = 3) {
  const work = mkdtempSync(join(tmpdir(), 'bench-pull-'));
  const { startPrivateEngine } = await engineModule(work);
  const oci = ociImage(work);
  const upstream = await startUpstream(work);
  const archive = join(work, 'image.tar');
  try {
    execFileSync('skopeo', ['copy', '--quiet', '--format', 'v2s2', '--dest-tls-verify=false', `oci:${oci}:latest`, `docker://127.0.0.1:${upstream.port}/${IMAGE}:latest`]);
    execFileSync('skopeo', ['copy', '--quiet', `oci:${oci}:latest`, `docker-archive:${archive}:${IMAGE}:latest`]);
    const results = { cold: [], warm: [], again: [], load: [], held: [] };
    for (let i = 0; i < runs; i++) {
      const cacheDir = mkdtempSync(join(work, 'cache-'));
      const images = { cacheDir, upstream: upstream.url };
      for (const kind of ['cold', 'warm', 'again']) {
        const engine = await startPrivateEngine({ images });
        try {
          results[kind].push(await timed(engine, ['pull', IMAGE]));
          // The engine now holds it: what a lesson's `docker pull` costs where the image already is.
          if (kind === 'again') results.held.push(await timed(engine, ['pull', IMAGE]));
        } finally {
          await engine.stop();
        }
      }
      const plain = await startPrivateEngine();
      try {
        results.load.push(await timed(plain, ['load', '-i', archive]));
      } finally {
        await plain.stop();
      }
      rmSync(cacheDir, { recursive: true, force: true });
    }
    const m = Object.fromEntries(Object.entries(results).map(([kind, list]) => [kind, median(list)]));
    const rows = [
      ['cold: upstream on 127.0.0.1, through the cache', seconds(m.cold), `${(m.cold / m.load).toFixed(2)}x`],
      ['warm: the cache alone, its copy checked beside the pull', seconds(m.warm), `${(m.warm / m.load).toFixed(2)}x`],
      ['warm again: the copy known whole', seconds(m.again), `${(m.again / m.load).toFixed(2)}x`],
      ['`docker load` of the same image', seconds(m.load), '1.00x'],
      ['an engine that already holds it (`docker pull`)', seconds(m.held), `${(m.held / m.load).toFixed(2)}x`],
    ];
    const size = (readFileSync(archive).length / 1024 / 1024).toFixed(1);
    const worst = Math.max(m.warm, m.again);
    const verdict = `warm ${worst <= 1.5 ? '≤' : '>'} 1.5 s (target), ${(worst / m.load).toFixed(2)}x docker load (target ≤ 2x)`;
    return `${table(['pull of a ' + size + ' MB image into a fresh private engine', `wall (median of ${runs})`, 'vs docker load'], rows)}\n${verdict}`;
  } finally {
    upstream.stop();
    if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchPull());
