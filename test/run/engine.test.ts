// Real private engines: started, used, stopped and interrupted, then checked for anything left behind.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { chmod, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBaseImage } from '../../src/run/base-image.js';
import { onInterrupt } from '../../src/run/cleanup.js';
import { generatedContainerNames } from '../../src/run/containers.js';
import { engineRequest } from '../../src/run/engine-api.js';
import { busyboxUnusable, hostEngine, startPrivateEngine, type Engine } from '../../src/run/engine.js';

const project = resolve(import.meta.dirname, '../..');

function whyNoEngine(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  const found = dirs.some((dir) => {
    try {
      accessSync(join(dir, 'dockerd'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return found ? undefined : 'no dockerd (apt-get install docker.io, or bash scripts/setup.sh)';
}

const skipReason = whyNoEngine();
if (skipReason) console.warn(`engine tests skipped: ${skipReason}`);

function docker(engine: Engine, args: string[]) {
  return execa('docker', args, { env: engine.env });
}

interface Proc {
  pid: number;
  args: string;
  cgroup: string;
  netns?: string;
}

async function processes(): Promise<Proc[]> {
  const found: Proc[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // Zombies are dead already; only a (non-reaping) parent keeps their entry.
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      found.push({
        pid: Number(name),
        args: (await readFile(`/proc/${name}/cmdline`, 'utf8')).replaceAll('\0', ' '),
        cgroup: await readFile(`/proc/${name}/cgroup`, 'utf8'),
        netns: await readlink(`/proc/${name}/ns/net`).catch(() => undefined),
      });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** The network namespace of the engine's dockerd, found from the outside (not through the engine's code). */
async function engineNetns(root: string): Promise<string> {
  const dockerd = (await processes()).find((p) => p.args.startsWith('dockerd ') && p.args.includes(root));
  if (!dockerd?.netns) throw new Error(`no dockerd found for ${root}`);
  return dockerd.netns;
}

/** Everything of an engine still on the machine: processes, mounts, cgroups, the folder itself. */
async function leftovers(root: string, netns: string): Promise<string[]> {
  const cgroup = `/${basename(root)}`;
  const left = (await processes())
    .filter((p) => p.pid !== process.pid)
    .filter((p) => p.args.includes(root) || p.netns === netns || p.cgroup.includes(`:${cgroup}`))
    .map((p) => `process ${p.pid}: ${p.args.slice(0, 100)}`);
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  left.push(...mountinfo.split('\n').filter((line) => line.split(' ')[4]?.startsWith(root)).map((line) => `mount ${line.split(' ')[4]}`));
  for (const hierarchy of ['', ...(await readdir('/sys/fs/cgroup'))]) {
    const dir = join('/sys/fs/cgroup', hierarchy, cgroup);
    if (await stat(dir).then(() => true, () => false)) left.push(`cgroup ${dir}`);
  }
  if (await stat(root).then(() => true, () => false)) left.push(`folder ${root}`);
  return left;
}

async function hostLinks(): Promise<string[]> {
  const { stdout } = await execa('ip', ['-o', 'link', 'show']);
  return stdout.split('\n').map((line) => line.split(':').slice(0, 2).join(':'));
}

describe('host engine', () => {
  const host = hostEngine({ PATH: process.env.PATH, DOCKER_HOST: 'unix:///nonexistent/docker.sock', HOME: '/nonexistent' });

  it('passes on only the Docker variables of its environment', () => {
    expect(host.kind).toBe('host');
    expect(host.env).toEqual({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(host.root).toBeUndefined();
  });

  it('reports an unreachable server instead of failing, and stops as a no-op', async () => {
    const described = await host.describe();
    expect(described['docker server']).toBe('unavailable');
    expect(described.builder).toBeTruthy();
    await expect(host.stop()).resolves.toBeUndefined();
  });

  it('never gets the stand-in base image', async () => {
    await expect(loadBaseImage(host, { cacheDir: '/nonexistent' })).rejects.toThrow(/private engine/);
  });
});

describe('host engine without DOCKER_HOST', () => {
  const home = mkdtempSync(join(tmpdir(), 'lesson-home-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("names the docker CLI's default socket, so the run can ask it for container names", () => {
    expect(hostEngine({ PATH: process.env.PATH, HOME: home }).env).toEqual({ DOCKER_HOST: 'unix:///var/run/docker.sock' });
  });

  it('leaves the choice to a context, whether in the environment or chosen with `docker context use`', () => {
    expect(hostEngine({ HOME: home, DOCKER_CONTEXT: 'remote' }).env).toEqual({ DOCKER_CONTEXT: 'remote' });
    mkdirSync(join(home, 'other'));
    writeFileSync(join(home, 'other', 'config.json'), JSON.stringify({ currentContext: 'rootless' }));
    expect(hostEngine({ HOME: home, DOCKER_CONFIG: join(home, 'other') }).env).toEqual({ DOCKER_CONFIG: join(home, 'other') });
  });
});

describe("the engine's API over its socket", () => {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-api-'));
  const socket = join(dir, 'docker.sock');
  let reply = '';
  let server: Server;
  beforeAll(async () => {
    server = createServer((connection) => connection.once('data', () => connection.end(reply)));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  const answer = (body: string, length = body.length) =>
    (reply = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${length}\r\n\r\n${body}`);

  it('gives the generated container names, not those the lesson chose', async () => {
    answer(JSON.stringify([{ Names: ['/hungry_hopper'] }, { Names: ['/registre'] }, { Names: ['/eager_turing2'] }]));
    expect(await generatedContainerNames(`unix://${socket}`)).toEqual(['hungry_hopper', 'eager_turing2']);
  });

  it('settles when the reply is cut off part-way', async () => {
    answer('[{"Names":["/hungry_', 1000);
    await expect(engineRequest(socket, 'GET', '/containers/json?all=1')).rejects.toThrow(/cut off|aborted/);
    expect(await generatedContainerNames(`unix://${socket}`)).toEqual([]);
  }, 5000);
});

describe('static busybox for the alpine stand-in', () => {
  it('is a prerequisite of the private engine, with the package that provides it', async () => {
    expect(await busyboxUnusable('/nonexistent/busybox')).toMatch(/^no static \/nonexistent\/busybox .*apt-get install busybox-static/);
    // Any program of the system is dynamically linked.
    expect(await busyboxUnusable(process.execPath)).toMatch(/is dynamically linked.*apt-get install busybox-static/);
  });
});

describe('interrupt registry', () => {
  it('holds the signals only while something is registered, so Ctrl-C otherwise works as usual', () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    const first = onInterrupt(async () => undefined);
    const second = onInterrupt(async () => undefined);
    expect(process.listenerCount('SIGINT')).toBe(before.int + 1);
    expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);
    first();
    expect(process.listenerCount('SIGINT')).toBe(before.int + 1);
    second();
    expect(process.listenerCount('SIGINT')).toBe(before.int);
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
  });
});

describe.skipIf(skipReason !== undefined)('private engine', () => {
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'lesson-test-cache-'));
  });
  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('answers through its env and describes itself', async () => {
    const engine = await startPrivateEngine();
    try {
      const { stdout } = await docker(engine, ['version', '--format', '{{.Server.Version}}']);
      expect(stdout).toMatch(/^\d+\.\d+/);
      expect(engine.env.DOCKER_HOST).toBe(`unix://${engine.root}/docker.sock`);
      const described = await engine.describe();
      expect(described['docker server']).toBe(stdout);
      expect(described['docker client']).toMatch(/^\d+\.\d+/);
      expect(described.builder).toBeTruthy();
    } finally {
      await engine.stop();
    }
  });

  it('runs containers that reach each other on its bridges', async () => {
    const engine = await startPrivateEngine();
    try {
      await loadBaseImage(engine, { cacheDir });
      await docker(engine, ['run', '-d', '--name', 'server', 'alpine', 'sleep', '1000']);
      const ip = (await docker(engine, ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'server'])).stdout;
      expect((await docker(engine, ['run', '--rm', 'alpine', 'ping', '-c1', '-W5', ip])).stdout).toContain('1 packets received');
      // User-defined networks add name resolution, which tutorials rely on.
      await docker(engine, ['network', 'create', 'lessonnet']);
      await docker(engine, ['run', '-d', '--name', 'named', '--network', 'lessonnet', 'alpine', 'sleep', '1000']);
      const byName = await docker(engine, ['run', '--rm', '--network', 'lessonnet', 'alpine', 'ping', '-c1', '-W5', 'named']);
      expect(byName.stdout).toContain('1 packets received');
    } finally {
      await engine.stop();
    }
  });

  it('runs side by side with another engine without touching the host network', async () => {
    const before = await hostLinks();
    const engines = await Promise.all([startPrivateEngine(), startPrivateEngine()]);
    try {
      expect(new Set(engines.map((e) => e.root)).size).toBe(2);
      await Promise.all(engines.map((e) => loadBaseImage(e, { cacheDir })));
      for (const engine of engines) {
        const id = (await docker(engine, ['run', '-d', 'alpine', 'sleep', '1000'])).stdout;
        const ip = (await docker(engine, ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', id])).stdout;
        expect((await docker(engine, ['run', '--rm', 'alpine', 'ping', '-c1', '-W5', ip])).stdout).toContain('1 packets received');
        // Each engine sees only its own container.
        expect((await docker(engine, ['ps', '-q', '--no-trunc'])).stdout).toBe(id);
      }
      expect(await hostLinks()).toEqual(before);
    } finally {
      await Promise.all(engines.map((e) => e.stop()));
    }
    expect(await hostLinks()).toEqual(before);
  });

  it('stops completely even with a container running, however often stop is called', async () => {
    const engine = await startPrivateEngine();
    const root = engine.root!;
    const netns = await engineNetns(root);
    await loadBaseImage(engine, { cacheDir });
    await docker(engine, ['run', '-d', 'alpine', 'sleep', '1000']);
    await docker(engine, ['run', '-d', '--network', 'host', 'alpine', 'sleep', '1000']);
    expect((await leftovers(root, netns)).some((item) => item.startsWith('mount '))).toBe(true);
    const started = performance.now();
    await Promise.all([engine.stop(), engine.stop()]);
    console.info(`stop with 2 running containers: ${Math.round(performance.now() - started)} ms`);
    await engine.stop();
    expect(await leftovers(root, netns)).toEqual([]);
  });

  it('cleans up after a daemon that was killed outright', async () => {
    const engine = await startPrivateEngine();
    const root = engine.root!;
    const netns = await engineNetns(root);
    await loadBaseImage(engine, { cacheDir });
    await docker(engine, ['run', '-d', 'alpine', 'sleep', '1000']);
    // What a crash leaves: shims, the container and its mounts, with nobody managing them.
    const daemons = (await processes()).filter((p) => /^(dockerd|containerd) /.test(p.args) && p.args.includes(root));
    expect(daemons).toHaveLength(2);
    for (const p of daemons) process.kill(p.pid, 'SIGKILL');
    await engine.stop();
    expect(await leftovers(root, netns)).toEqual([]);
  });

  it('reports a daemon that fails to start, with its log, and leaves nothing behind', async () => {
    const marker = `boom-${process.pid}-${Date.now()}`;
    const fakeDir = await mkdtemp(join(tmpdir(), 'lesson-test-fake-'));
    // It prints its arguments too: they name the engine's folder, wherever the engine put it.
    await writeFile(join(fakeDir, 'dockerd'), `#!/bin/sh\necho "${marker}" "$@" >&2\nexit 3\n`);
    await chmod(join(fakeDir, 'dockerd'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${fakeDir}:${path}`;
    let failure: Error | undefined;
    try {
      await startPrivateEngine().catch((error: Error) => (failure = error));
    } finally {
      process.env.PATH = path;
      await rm(fakeDir, { recursive: true, force: true });
    }
    expect(failure?.message).toContain(marker);
    const root = /--data-root (\S+)\/data /.exec(failure?.message ?? '')?.[1];
    expect(root).toBeTruthy();
    // No launcher or dead-man switch left (they name the folder), no mount, cgroup or folder.
    expect(await leftovers(root ?? '', 'no namespace')).toEqual([]);
  });

  describe('interrupted run', () => {
    let buildDir = '';
    beforeAll(async () => {
      // The child runs under bare node, which cannot load TypeScript: compile just the engine's modules,
      // beside a link to the project's node_modules so that `execa` resolves.
      buildDir = await mkdtemp(join(tmpdir(), 'lesson-engine-build-'));
      await symlink(join(project, 'node_modules'), join(buildDir, 'node_modules'));
      await execa(
        process.execPath,
        [
          join(project, 'node_modules/typescript/bin/tsc'),
          ...['--outDir', buildDir, '--rootDir', join(project, 'src'), '--module', 'NodeNext', '--moduleResolution', 'NodeNext'],
          ...['--target', 'ES2022', '--strict', '--skipLibCheck', '--types', 'node'],
          join(project, 'src/run/engine.ts'),
          join(project, 'src/run/base-image.ts'),
        ],
        { cwd: project },
      );
    });
    afterAll(async () => {
      await rm(buildDir, { recursive: true, force: true });
    });

    async function startFixture() {
      const child = spawn(process.execPath, [join(project, 'test/fixtures/interrupted-engine.mjs'), buildDir, cacheDir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((done) => child.on('exit', (status) => done(status)));
      const root = await new Promise<string>((ready, fail) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /^ready (\S+)$/m.exec(stdout);
          if (match?.[1]) ready(match[1]);
        });
        void exited.then((status) => fail(new Error(`fixture exited with ${status} before ready:\n${stderr}`)));
      });
      return { child, exited, root, netns: await engineNetns(root), stderr: () => stderr };
    }

    it.each([
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const)('on %s exits with %i and leaves nothing behind', async (signal, code) => {
      const { child, exited, root, netns, stderr } = await startFixture();
      const sent = performance.now();
      child.kill(signal);
      const status = await exited;
      const elapsed = performance.now() - sent;
      console.info(`${signal}: exited after ${Math.round(elapsed)} ms`);
      expect(status, stderr()).toBe(code);
      // A ceiling that only catches a hang: the time it takes is measured by bench/, not asserted here.
      expect(elapsed).toBeLessThan(10_000);
      expect(await leftovers(root, netns)).toEqual([]);
    });

    it('shuts the engine down by itself when the process that started it is killed outright', async () => {
      const { child, exited, root, netns } = await startFixture();
      child.kill('SIGKILL');
      await exited;
      // Nobody runs a cleanup after SIGKILL: only the launcher's dead-man switch can, at dockerd's own pace.
      const deadline = Date.now() + 30_000;
      let left = await leftovers(root, netns);
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((wait) => setTimeout(wait, 200));
        left = await leftovers(root, netns);
      }
      expect(left).toEqual([]);
    });
  });

  describe('base image', () => {
    it('is built once, then loaded from the cache; the stand-in looks like alpine', async () => {
      const ownCache = await mkdtemp(join(tmpdir(), 'lesson-test-cache-'));
      const engine = await startPrivateEngine();
      try {
        await loadBaseImage(engine, { cacheDir: ownCache });
        const files = await readdir(ownCache);
        expect(files).toHaveLength(1);
        expect(files[0]).toMatch(/\.tar$/);
        const built = (await docker(engine, ['image', 'inspect', '-f', '{{.Id}}', 'alpine:latest'])).stdout;
        await docker(engine, ['rmi', 'alpine:latest']);
        await loadBaseImage(engine, { cacheDir: ownCache });
        // A second `docker import` would have made a new image (its creation time differs): same id means the cache was used.
        expect((await docker(engine, ['image', 'inspect', '-f', '{{.Id}}', 'alpine:latest'])).stdout).toBe(built);
        expect(await readdir(ownCache)).toEqual(files);

        const run = (script: string) => docker(engine, ['run', '--rm', 'alpine', 'sh', '-c', script]).then((r) => r.stdout);
        expect(await run('echo $HOME; ls -d /root')).toBe('/root\n/root');
        expect(await run('cat /etc/passwd')).toMatch(/^root:x:0:0:root:\/root:\/bin\/sh$/m);
        expect(await run('grep -c . /etc/group; id -un nobody')).toBe('2\nnobody');
        expect(await run('stat -c %A /tmp')).toBe('drwxrwxrwt');
        expect(await run('/usr/bin/env echo ok')).toBe('ok');
      } finally {
        await engine.stop();
        await rm(ownCache, { recursive: true, force: true });
      }
    });

    it('rebuilds a damaged cache file instead of failing', async () => {
      const ownCache = await mkdtemp(join(tmpdir(), 'lesson-test-cache-'));
      const engine = await startPrivateEngine();
      try {
        await loadBaseImage(engine, { cacheDir: ownCache });
        const [file] = await readdir(ownCache);
        await writeFile(join(ownCache, file!), 'not a tar');
        await docker(engine, ['rmi', 'alpine:latest']);
        await loadBaseImage(engine, { cacheDir: ownCache });
        expect((await docker(engine, ['run', '--rm', 'alpine', 'echo', 'ok'])).stdout).toBe('ok');
        expect((await stat(join(ownCache, file!))).size).toBeGreaterThan(1_000_000);
      } finally {
        await engine.stop();
        await rm(ownCache, { recursive: true, force: true });
      }
    });
  });
});
