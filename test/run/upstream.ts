// An "upstream" registry for tests: Debian's docker-registry on 127.0.0.1, seeded with busybox stand-ins
// named like the images tutorials use, each built here as an OCI layout (no network, no engine) and
// pushed with skopeo. Its access log shows what the cache under test asked it for.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, sign } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { execa, execaSync } from 'execa';
import { folderTag, registryFolders } from '../../src/run/image-cache.js';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface StandIn {
  /** Repository as Docker Hub names it: `library/ubuntu`, `jpetazzo/clock`. */
  repository: string;
  cmd: string[];
  /** Files of the image's own layer, beside the busybox layer every stand-in shares. */
  files: Record<string, { content: string; mode?: number }>;
  /** Environment beyond PATH. */
  env?: string[];
  /** More layers of its own after that one, one file each: pulls of more than three layers wait. */
  more?: string[];
}

export const standIns: StandIn[] = [
  {
    repository: 'library/ubuntu',
    cmd: ['/bin/sh'],
    // ubuntu's bash prompt, which busybox's shell can show too.
    env: ['PS1=root@\\h:\\w# '],
    files: { 'etc/os-release': { content: 'NAME="Ubuntu stand-in"\nID=ubuntu\n' } },
  },
  {
    repository: 'library/redis',
    cmd: ['redis-server'],
    files: {
      'etc/os-release': { content: 'NAME="redis stand-in"\n' },
      'usr/local/bin/redis-server': { content: '#!/bin/sh\necho "1:M * Ready to accept connections tcp"\nexec sleep 86400\n', mode: 0o755 },
    },
  },
  {
    repository: 'jpetazzo/clock',
    cmd: ['/bin/sh', '-c', 'while date; do sleep 1; done'],
    files: { 'etc/os-release': { content: 'NAME="clock stand-in"\n' } },
  },
  {
    repository: 'library/python',
    cmd: ['python3'],
    files: { 'etc/os-release': { content: 'NAME="python stand-in"\n' } },
    more: ['usr/lib/one', 'usr/lib/two', 'usr/lib/three', 'usr/lib/four'],
  },
];

export function missingTools(): string | undefined {
  const found = execaSync('sh', ['-c', 'command -v docker-registry && command -v skopeo && command -v socat && command -v flock'], { reject: false });
  return found.exitCode === 0 ? undefined : 'docker-registry, skopeo, socat or flock is missing: run `bash scripts/setup.sh`';
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function layer(dir: string): { gz: Buffer; diffId: string } {
  // Sorted names, fixed times and owners: the same files always give the same layer digest.
  const tar = execaSync('tar', ['--create', '--sort=name', '--mtime=@0', '--numeric-owner', '--owner=0', '--group=0', '-C', dir, '.'], {
    encoding: 'buffer',
  }).stdout;
  return { gz: gzipSync(tar), diffId: `sha256:${sha256(Buffer.from(tar))}` };
}

function busyboxLayer(): { gz: Buffer; diffId: string } {
  const dir = mkdtempSync(join(tmpdir(), 'standin-base-'));
  for (const sub of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'etc', 'root', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync('/bin/busybox', join(dir, 'bin/busybox'));
  for (const applet of execaSync('/bin/busybox', ['--list-full']).stdout.split('\n')) {
    if (!applet.includes('/') || applet === 'bin/busybox') continue;
    mkdirSync(join(dir, dirname(applet)), { recursive: true });
    symlinkSync('/bin/busybox', join(dir, applet));
  }
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:root\n');
  return layer(dir);
}

/** Writes `image` as an OCI layout in a new folder and returns it (tag `latest`). */
export function ociLayout(image: StandIn, base = busyboxLayer()): string {
  const own = mkdtempSync(join(tmpdir(), 'standin-own-'));
  for (const [path, file] of Object.entries(image.files)) {
    mkdirSync(join(own, dirname(path)), { recursive: true });
    writeFileSync(join(own, path), file.content, { mode: file.mode ?? 0o644 });
  }
  const layers = [base, layer(own)];
  for (const path of image.more ?? []) {
    const dir = mkdtempSync(join(tmpdir(), 'standin-more-'));
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), `${path}\n`);
    layers.push(layer(dir));
  }
  const out = mkdtempSync(join(tmpdir(), 'standin-oci-'));
  mkdirSync(join(out, 'blobs/sha256'), { recursive: true });
  const blob = (data: Buffer | string, mediaType: string) => {
    const digest = sha256(data);
    writeFileSync(join(out, 'blobs/sha256', digest), data);
    return { mediaType, digest: `sha256:${digest}`, size: Buffer.byteLength(data) };
  };
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: '1970-01-01T00:00:00Z',
    config: { Cmd: image.cmd, Env: [`PATH=${PATH}`, ...(image.env ?? [])] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: blob(config, 'application/vnd.oci.image.config.v1+json'),
    layers: layers.map((l) => blob(l.gz, 'application/vnd.oci.image.layer.v1.tar+gzip')),
  });
  const index = {
    schemaVersion: 2,
    manifests: [{ ...blob(manifest, 'application/vnd.oci.image.manifest.v1+json'), annotations: { 'org.opencontainers.image.ref.name': 'latest' } }],
  };
  writeFileSync(join(out, 'index.json'), JSON.stringify(index));
  writeFileSync(join(out, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return out;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export class Upstream {
  private child?: ChildProcess;
  readonly url: string;

  private constructor(readonly port: number, readonly dir: string, readonly auth?: { username: string; password: string }) {
    this.url = `http://127.0.0.1:${port}`;
  }

  private tokens?: TokenServer;

  /**
   * With `auth`, the registry asks for that user and password as Docker Hub and company registries do:
   * a bearer token from a token server (here, in this process), which wants the password. (A 2.8
   * pull-through cache sends credentials to token servers only, never as HTTP basic auth.)
   */
  static async start(auth?: { username: string; password: string }): Promise<Upstream> {
    const upstream = new Upstream(await freePort(), mkdtempSync(join(tmpdir(), 'upstream-')), auth);
    if (auth) upstream.tokens = await TokenServer.start(upstream.dir, auth);
    await upstream.resume();
    return upstream;
  }

  get logFile(): string {
    return join(this.dir, 'access.log');
  }

  /** (Re)starts the registry on the same port and folder. */
  async resume(): Promise<void> {
    const config = join(this.dir, 'config.yml');
    writeFileSync(config, JSON.stringify({
      version: 0.1,
      log: { level: 'info', formatter: 'text' },
      storage: { filesystem: { rootdirectory: join(this.dir, 'data') } },
      http: { addr: `127.0.0.1:${this.port}` },
      ...(this.tokens && { auth: { token: { realm: `${this.tokens.url}/token`, service: 'test-upstream', issuer: TokenServer.issuer, rootcertbundle: this.tokens.certFile } } }),
    }));
    const log = openSync(this.logFile, 'a');
    this.child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', log, log] });
    for (let i = 0; i < 500; i++) {
      if (await fetch(`${this.url}/v2/`).then((r) => r.ok || r.status === 401, () => false)) return;
      await sleep(20);
    }
    throw new Error(`the upstream registry did not start: ${readFileSync(this.logFile, 'utf8')}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  /** Pushes each stand-in as `<repository>:latest`. */
  async seed(images: StandIn[] = standIns): Promise<void> {
    const base = busyboxLayer();
    for (const image of images) {
      const layout = ociLayout(image, base);
      // v2s2: the manifest type Docker Hub serves for these images.
      const creds = this.auth ? ['--dest-creds', `${this.auth.username}:${this.auth.password}`] : [];
      await execa('skopeo', ['copy', '--quiet', '--format', 'v2s2', '--dest-tls-verify=false', ...creds, `oci:${layout}:latest`, `docker://127.0.0.1:${this.port}/${image.repository}:latest`]);
    }
  }

  /** The digest the upstream's tag names now, as an engine pulling it records it. */
  async digest(repository: string, tag = 'latest'): Promise<string> {
    const answer = await fetch(`${this.url}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json', ...(await this.authorization(repository)) },
    });
    const digest = answer.headers.get('docker-content-digest');
    if (!answer.ok || !digest) throw new Error(`the upstream has no ${repository}:${tag} (${answer.status})`);
    return digest;
  }

  private async authorization(repository: string): Promise<Record<string, string>> {
    if (!this.tokens || !this.auth) return {};
    const answer = await fetch(`${this.tokens.url}/token?service=test-upstream&scope=repository:${repository}:pull`, {
      headers: { authorization: `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}` },
    });
    return { authorization: `Bearer ${((await answer.json()) as { token: string }).token}` };
  }

  /** Blob requests (GET) that reached the upstream since the log was last cleared. */
  blobRequests(): string[] {
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .filter((line) => /msg="response completed"/.test(line) && /http\.request\.method=GET/.test(line) && /\/blobs\/sha256:/.test(line));
  }

  clearLog(): void {
    writeFileSync(this.logFile, '');
  }
}

/**
 * A token server as Docker's token authentication specifies it: a password (HTTP basic auth) buys a
 * JWT the registry trusts, signed by a key whose self-signed certificate the registry holds.
 */
class TokenServer {
  static readonly issuer = 'test-issuer';

  private constructor(readonly url: string, readonly certFile: string, readonly server: Server) {}

  static async start(dir: string, auth: { username: string; password: string }): Promise<TokenServer> {
    const keyFile = join(dir, 'token.key');
    const certFile = join(dir, 'token.crt');
    execaSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${TokenServer.issuer}`]);
    const key = readFileSync(keyFile, 'utf8');
    const der = readFileSync(certFile, 'utf8').replace(/-----[^-]+-----|\s/g, '');
    const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');
    const server = createHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const [username, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
      if (!req.headers.authorization?.startsWith('Basic ') || username !== auth.username || password !== auth.password) {
        res.writeHead(401).end();
        return;
      }
      const access = url.searchParams.getAll('scope').map((scope) => {
        const [type, name, actions] = [scope.slice(0, scope.indexOf(':')), scope.slice(scope.indexOf(':') + 1, scope.lastIndexOf(':')), scope.slice(scope.lastIndexOf(':') + 1)];
        return { type, name, actions: actions.split(',') };
      });
      const now = Math.floor(Date.now() / 1000);
      const head = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der] }));
      const claims = base64url(JSON.stringify({ iss: TokenServer.issuer, sub: username, aud: url.searchParams.get('service'), exp: now + 600, nbf: now - 60, iat: now, jti: randomBytes(8).toString('hex'), access }));
      const token = `${head}.${claims}.${base64url(sign('sha256', Buffer.from(`${head}.${claims}`), key))}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 600 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.unref();
    return new TokenServer(`http://127.0.0.1:${(server.address() as { port: number }).port}`, certFile, server);
  }
}

/**
 * Registry, relay and lock processes serving the registries under `base` (the folder holding
 * `registry/`) for `upstream`, or serving `folders`: none may outlive their users. Other tests' are
 * told apart by the registry folder each socket folder is named after.
 */
export function registryHelpers(base: string, upstream?: string, folders: string[] = []): string[] {
  const served = upstream ? Object.values(registryFolders({ cacheDir: base, upstream })).slice(0, 2) : [];
  const tags = [...served, ...folders].map((folder) => `-${folderTag(folder)}-`);
  return execaSync('ps', ['-eo', 'pid=,args='])
    .stdout.split('\n')
    .filter((line) => !line.endsWith('<defunct>'))
    .filter((line) => line.includes(base) || tags.some((tag) => line.includes(tag)));
}
