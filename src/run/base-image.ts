// Lessons say `FROM alpine`, but a private engine has no network to pull it. This builds a small stand-in
// from Debian's static busybox (a shell and the usual applets at the paths alpine has them), caches it as
// a `docker save` tar, and loads that into the private engine in a fraction of a second.

import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { cacheFolder } from './cache-folder.js';
import { interrupted, onInterrupt } from './cleanup.js';
import { EngineUnavailable } from '../errors.js';
import { BUSYBOX, busyboxUnusable, type Engine } from './engine.js';

const IMAGE = 'alpine:latest';
// Bump when the recipe below changes, so caches built by an older recipe are not reused.
const RECIPE = 'busybox-standin-1';
// alpine's own PATH; without one in the image, `docker inspect` and `env` would show a different value.
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const FILES: Record<string, string> = {
  'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/usr/sbin/nologin\n',
  'etc/group': 'root:x:0:root\nnobody:x:65534:\n',
};

const noop = (): void => undefined;

async function busybox(): Promise<Buffer> {
  const problem = await busyboxUnusable();
  if (problem) throw new EngineUnavailable(problem);
  return readFile(BUSYBOX);
}

async function buildRootfs(dir: string): Promise<void> {
  for (const sub of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'etc', 'root', 'tmp']) {
    await mkdir(join(dir, sub), { recursive: true });
  }
  await chmod(join(dir, 'tmp'), 0o1777);
  await chmod(join(dir, 'root'), 0o700);
  await copyFile(BUSYBOX, join(dir, 'bin/busybox'));
  await chmod(join(dir, 'bin/busybox'), 0o755);
  // --list-full gives each applet's usual directory, so `#!/usr/bin/env sh` and friends resolve.
  const { stdout } = await execa(BUSYBOX, ['--list-full']);
  for (const applet of stdout.split('\n')) {
    // `linuxrc` (no directory) is busybox's init, not something alpine has.
    if (!applet.includes('/') || applet === 'bin/busybox') continue;
    await mkdir(join(dir, dirname(applet)), { recursive: true });
    await symlink('/bin/busybox', join(dir, applet));
  }
  for (const [path, content] of Object.entries(FILES)) await writeFile(join(dir, path), content);
}

async function buildImage(env: Record<string, string>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lesson-rootfs-'));
  const rootfs = buildRootfs(dir);
  // On Ctrl-C the folder goes once nothing writes into it any more, or the writing would recreate it.
  const unregister = onInterrupt(() => rootfs.catch(noop).then(() => rm(dir, { recursive: true, force: true })));
  try {
    await rootfs;
    // GNU tar, not an engine: the user's engine (if any) must not be touched. Owners are forced to
    // root because the staging folder may belong to whoever runs this.
    await execa('tar', ['--create', '--numeric-owner', '--owner=0', '--group=0', '-C', dir, '.']).pipe(
      'docker',
      ['import', '--change', 'CMD ["/bin/sh"]', '--change', `ENV PATH=${PATH}`, '-', IMAGE],
      { env },
    );
  } finally {
    unregister();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Makes `alpine:latest` (a busybox stand-in) available in a private engine, from a cache after the first time. */
export async function loadBaseImage(engine: Engine, options: { cacheDir?: string } = {}): Promise<void> {
  // Tagging alpine:latest in someone's own engine would shadow their real alpine image.
  if (engine.kind === 'host') throw new Error('loadBaseImage is only for a private engine: it would overwrite alpine:latest in the host engine');
  const key = createHash('sha256').update(RECIPE).update(await busybox()).digest('hex').slice(0, 16);
  const cacheDir = options.cacheDir ?? cacheFolder();
  const cached = join(cacheDir, `alpine-standin-${key}.tar`);
  if (await stat(cached).then(() => true, () => false)) {
    const loaded = await execa('docker', ['load', '--quiet', '--input', cached], { env: engine.env, reject: false });
    if (loaded.exitCode === 0) return;
    // Not damaged: the engine is being stopped under us by a Ctrl-C.
    if (interrupted()) throw new Error('interrupted');
    // A damaged cache file is rebuilt below rather than failing every run from now on.
  }
  await buildImage(engine.env);
  await mkdir(cacheDir, { recursive: true });
  // Written aside and renamed: a parallel run either sees no file or a whole one.
  const partial = `${cached}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const unregister = onInterrupt(() => rm(partial, { force: true }));
  try {
    await execa('docker', ['save', '--output', partial, IMAGE], { env: engine.env });
    await rename(partial, cached);
  } finally {
    unregister();
    await rm(partial, { force: true });
  }
}
