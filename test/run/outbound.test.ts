// `network: outbound`: a lesson's private engine and its containers reach the outside through
// slirp4netns, and only when the page (or --network) asks. The "outside" here is this machine: an HTTP
// server and a DNS resolver the test runs on loopback. The CLI runs in a mount namespace of the test's,
// where /etc/resolv.conf names that resolver, so slirp's resolver (which asks the host's) never sends a
// query off the machine. slirp refuses the host's loopback to lessons; the cases that reach the test's
// server let it through with LESSON_SLIRP_HOST_LOOPBACK=1, the exception kept for tests.
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { cli, dockerSkipReason, noUpstream, root } from '../helpers.js';
import { Footprint } from '../reliability/footprint.js';
import { missingTools, standIns, Upstream } from './upstream.js';

const skip =
  dockerSkipReason() ??
  (execaSync('sh', ['-c', 'command -v slirp4netns'], { reject: false }).exitCode === 0 ? undefined : 'slirp4netns is missing: run `bash scripts/setup.sh`');
if (skip) console.warn(`outbound network tests skipped: ${skip}`);

const work = mkdtempSync(join(tmpdir(), 'lesson-outbound-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The name the test's resolver answers, with slirp's address for the host; `.invalid` resolves nowhere else. */
const NAME = 'web.lesson-test.invalid';

/** The test's web server: `/page` answers at once; `/hold` never does, and tells the test it was asked. */
class Web {
  readonly requests: string[] = [];
  /** Called as a request comes, while the container that sent it waits for the answer. */
  onRequest?: () => void;
  private readonly server: Server;
  private waiters: (() => void)[] = [];

  constructor() {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      this.requests.push(request.url ?? '');
      this.onRequest?.();
      for (const wake of this.waiters.splice(0)) wake();
      if (request.url === '/page') response.end('served to the lesson\n');
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** Resolves once a request for `path` has come. */
  async asked(path: string, child: { exitCode: number | null }, output: () => string): Promise<void> {
    while (!this.requests.includes(path)) {
      if (child.exitCode !== null) throw new Error(`lesson exited before its container asked for ${path}:\n${output()}`);
      await Promise.race([new Promise<void>((wake) => this.waiters.push(wake)), new Promise((wait) => setTimeout(wait, 100))]);
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The test's resolver: NAME is 10.0.2.2 (slirp's address for the host), any other name does not exist. */
class Resolver {
  readonly asked: string[] = [];
  private readonly socket: Socket = createSocket('udp4');
  /** A loopback address of its own: another program's resolver on 127.0.0.1 or 127.0.0.53 is left alone. */
  readonly address = `127.0.${Math.floor(Math.random() * 200) + 20}.${Math.floor(Math.random() * 200) + 20}`;

  async listen(): Promise<void> {
    this.socket.on('message', (query, peer) => {
      // Header (12 bytes), then the question: length-prefixed labels, a zero, type and class.
      const labels: string[] = [];
      let at = 12;
      while (at < query.length && query[at] !== 0) {
        labels.push(query.subarray(at + 1, at + 1 + query[at]!).toString());
        at += query[at]! + 1;
      }
      const question = query.subarray(12, at + 5);
      const type = query.readUInt16BE(at + 1);
      const name = labels.join('.');
      this.asked.push(name);
      const known = name === NAME;
      const answer = known && type === 1 ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 2, 2]) : Buffer.alloc(0);
      const header = Buffer.alloc(12);
      query.copy(header, 0, 0, 2);
      header.writeUInt16BE(known ? 0x8180 : 0x8183, 2);
      header.writeUInt16BE(1, 4);
      header.writeUInt16BE(answer.length > 0 ? 1 : 0, 6);
      this.socket.send(Buffer.concat([header, question, answer]), peer.port, peer.address);
    });
    await new Promise<void>((resolve) => this.socket.bind(53, this.address, resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** The host's network as text: interfaces (docker0 too), addresses, routes, rules, firewall. */
function hostNetwork(): string {
  const commands = [
    ['ip', '-d', 'addr'],
    ['ip', 'route'],
    ['ip', '-6', 'route'],
    ['ip', 'rule'],
    ['ip', '-6', 'rule'],
    ['iptables-save'],
    ['ip6tables-save'],
    ['nft', 'list', 'ruleset'],
  ];
  return commands
    .map(([program, ...args]) => {
      const run = execaSync(program!, args, { reject: false, env: { PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
      const text = run.exitCode === 0 ? run.stdout : `(status ${run.exitCode ?? 'none: not installed'})`;
      // What moves by itself: address lifetimes count down, packet counters count, iptables-save stamps the time.
      const steady = text
        .replace(/(valid|preferred)_lft \d+sec/g, '$1_lft <n>sec')
        .replace(/\[\d+:\d+\]/g, '[<counters>]')
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .join('\n');
      return `$ ${[program, ...args].join(' ')}\n${steady}`;
    })
    .join('\n');
}

interface ProcessId {
  pid: number;
  start: string;
}

function stat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return [text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')), ...text.slice(text.lastIndexOf(')') + 2).split(' ')];
  } catch {
    return undefined;
  }
}

/** The slirp4netns processes `parent` started. */
function slirpsOf(parent: number): ProcessId[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      const fields = stat(Number(name));
      // Fields after the name: state, ppid, ... starttime (the 20th of them).
      return fields?.[0] === 'slirp4netns' && Number(fields[2]) === parent ? [{ pid: Number(name), start: fields[20] ?? '' }] : [];
    });
}

/** Still running (the same process, not a zombie, not another one that took its pid). */
function running(p: ProcessId): boolean {
  const fields = stat(p.pid);
  return fields !== undefined && fields[20] === p.start && fields[1] !== 'Z';
}

function page(name: string, network: string, lines: string[]): string {
  const file = join(mkdtempSync(join(work, 'page-')), `${name}.md`);
  writeFileSync(file, ['---', 'requires: [docker]', `network: ${network}`, 'timeout: 5m', '---', '# Out', '', '```console', ...lines, '```', ''].join('\n'));
  return file;
}

describe.skipIf(skip)('network: outbound', () => {
  const web = new Web();
  const resolver = new Resolver();
  let port = 0;
  let resolvConf = '';

  beforeAll(async () => {
    port = await web.listen();
    await resolver.listen();
    resolvConf = join(work, 'resolv.conf');
    writeFileSync(resolvConf, `nameserver ${resolver.address}\n`);
  });
  afterAll(async () => {
    await web.close();
    await resolver.close();
  });

  /**
   * The CLI, with /etc/resolv.conf naming the test's resolver, in a mount namespace of its own: a slave,
   * so that what other runs on the machine unmount is not held here.
   */
  function lesson(args: string[], env: Record<string, string> = {}) {
    const script = 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"';
    return execa('unshare', ['--mount', '--propagation', 'slave', 'sh', '-c', script, 'sh', resolvConf, 'node', cli, ...args], {
      cwd: root,
      env: { NO_COLOR: '1', CI: '', LESSON_REGISTRY_UPSTREAM: noUpstream, ...env },
      reject: false,
      all: true,
    });
  }

  test('a container fetches a page from the test\'s server on this machine, through slirp\'s 10.0.2.2; its resolv.conf names slirp\'s resolver', async () => {
    const before = hostNetwork();
    const footprint = new Footprint();
    const file = page('fetch', 'outbound', [`$ docker run --rm alpine wget -q -O - http://10.0.2.2:${port}/page`, '$ docker run --rm alpine cat /etc/resolv.conf']);
    const snapshots = join(work, 'fetch-snapshots');
    web.requests.length = 0;
    const child = lesson(['run', file, '-u', '--snapshots', snapshots], { LESSON_SLIRP_HOST_LOOPBACK: '1', ...footprint.env });
    // slirp4netns is the run's while it runs: the CLI's child, looked for while the request goes through it.
    const seen: ProcessId[] = [];
    web.onRequest = () => seen.push(...slirpsOf(child.pid ?? 0));
    const run = await child.finally(() => (web.onRequest = undefined));
    expect(run.exitCode, run.all).toBe(0);
    expect(footprint.now()).toEqual([]);
    footprint.remove();
    const snapshot = parse(readFileSync(join(snapshots, 'fetch.yaml'), 'utf8')) as { environment: Record<string, string>; steps: Record<string, { output: string }> };
    expect(snapshot.steps['out-1']?.output).toBe('served to the lesson\n');
    expect(snapshot.steps['out-2']?.output).toBe('nameserver 10.0.2.3\n');
    expect(snapshot.environment.network).toBe('outbound');
    expect(web.requests).toEqual(['/page']);
    expect(seen).toHaveLength(1);
    expect(seen.filter(running)).toEqual([]);
    expect(hostNetwork()).toBe(before);
  });

  test.skipIf(missingTools())('with images, Docker Hub names still come through the image cache; another registry\'s go straight through slirp', async () => {
    const upstream = await Upstream.start();
    try {
      await upstream.seed(standIns.filter((image) => image.repository === 'library/redis'));
      upstream.clearLog();
      const file = page('pulls', 'outbound', ['$ docker pull redis', `$ docker pull 10.0.2.2:${port}/library/redis`]);
      const snapshots = join(work, 'pulls-snapshots');
      const run = await lesson(['run', file, '-u', '--snapshots', snapshots], {
        LESSON_SLIRP_HOST_LOOPBACK: '1',
        LESSON_REGISTRY_UPSTREAM: upstream.url,
        XDG_CACHE_HOME: mkdtempSync(join(work, 'cache-')),
      });
      const steps = (parse(readFileSync(join(snapshots, 'pulls.yaml'), 'utf8')) as { steps: Record<string, { exit: number; output: string }> }).steps;
      expect(steps['out-1'], run.all).toMatchObject({ exit: 0, output: expect.stringContaining('Downloaded newer image for redis:latest') });
      expect(upstream.blobRequests().length).toBeGreaterThan(0);
      // dockerd itself reached the test's plain-HTTP server on this machine's loopback, through slirp.
      expect(run.all).toContain(`Error response from daemon: Get "https://10.0.2.2:${port}/v2/": http: server gave HTTP response to HTTPS client`);
    } finally {
      await upstream.stop();
    }
  });

  test('with --watch, the run\'s slirp4netns is gone once the run ends, while the CLI waits for the next', async () => {
    const file = page('watch', 'outbound', [`$ docker run --rm alpine wget -q -O - http://10.0.2.2:${port}/page`]);
    web.requests.length = 0;
    const child = lesson(['run', file, '-u', '--watch', '--snapshots', join(work, 'watch-snapshots')], { LESSON_SLIRP_HOST_LOOPBACK: '1' });
    let output = '';
    child.all!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const seen: ProcessId[] = [];
    web.onRequest = () => seen.push(...slirpsOf(child.pid ?? 0));
    try {
      while (!output.includes('Ctrl-C stops')) {
        if (child.exitCode !== null) throw new Error(`lesson exited before it watched:\n${output}`);
        await new Promise((wait) => setTimeout(wait, 50));
      }
      expect(output).toContain('1 passed');
      expect(seen).toHaveLength(1);
      expect(seen.filter(running)).toEqual([]);
    } finally {
      web.onRequest = undefined;
      child.kill('SIGINT');
      await child;
    }
  });

  test('the same page with --network none reaches nothing: the engine has no way out', async () => {
    const before = hostNetwork();
    const file = page('fetch', 'outbound', [`$ docker run --rm alpine wget -q -O - http://10.0.2.2:${port}/page`, '$ docker run --rm alpine cat /etc/resolv.conf']);
    web.requests.length = 0;
    const run = await lesson(['run', file, '-u', '--snapshots', join(work, 'none-snapshots'), '--network', 'none'], { LESSON_SLIRP_HOST_LOOPBACK: '1' });
    expect(run.all).toContain("wget: can't connect to remote host (10.0.2.2): Network is unreachable");
    // Containers get the host's resolver, as they always did without outbound.
    expect(run.all).not.toContain('nameserver 10.0.2.3');
    expect(web.requests).toEqual([]);
    expect(hostNetwork()).toBe(before);
  });

  test('without the test exception the host\'s loopback stays shut, while names resolve through slirp\'s resolver, for containers and dockerd', async () => {
    const before = hostNetwork();
    const file = page('shut', 'outbound', [`$ docker run --rm alpine wget -q -O - http://${NAME}:${port}/page`, `$ docker pull ${NAME}:${port}/nothing`]);
    web.requests.length = 0;
    resolver.asked.length = 0;
    const run = await lesson(['run', file, '-u', '--snapshots', join(work, 'shut-snapshots')]);
    expect(run.exitCode, run.all).toBe(1);
    // The name became 10.0.2.2 (the test's resolver, asked through slirp's), then the connection was refused.
    expect(run.all).toContain("wget: can't connect to remote host (10.0.2.2)");
    expect(run.all).toMatch(/10\.0\.2\.2:\d+: connect: (network is unreachable|connection refused)/);
    expect(new Set(resolver.asked)).toContain(NAME);
    expect(web.requests).toEqual([]);
    expect(hostNetwork()).toBe(before);
  });

  test('a slirp4netns that fails to start fails the run with its words, and leaves nothing behind', async () => {
    const footprint = new Footprint();
    const bin = mkdtempSync(join(work, 'bin-'));
    writeFileSync(join(bin, 'slirp4netns'), '#!/bin/sh\necho "slirp4netns: cannot open the tap device (a test\'s stand-in)" >&2\nexit 1\n', { mode: 0o755 });
    const file = page('broken', 'outbound', ['$ echo never']);
    try {
      const run = await lesson(['run', file, '--snapshots', join(work, 'broken-snapshots')], { PATH: `${bin}:${process.env.PATH}`, ...footprint.env });
      expect(run.exitCode, run.all).toBe(1);
      expect(run.all).toMatch(/slirp4netns exited while starting \(1\) \(network: outbound\):\n.*cannot open the tap device \(a test's stand-in\)/);
      expect(run.all).not.toContain('never');
      expect(footprint.now()).toEqual([]);
    } finally {
      footprint.remove();
    }
  });

  test.each(['SIGINT', 'SIGKILL'] as const)('on %s while a container is talking through slirp, nothing of the run is left, slirp4netns included', async (signal) => {
    const before = hostNetwork();
    const footprint = new Footprint();
    const file = page('hold', 'outbound', [`$ docker run --rm alpine wget -q -O - http://10.0.2.2:${port}/hold`, '$ echo after']);
    web.requests.length = 0;
    try {
      const child = lesson(['run', file, '--snapshots', join(work, `${signal}-snapshots`)], { LESSON_SLIRP_HOST_LOOPBACK: '1', ...footprint.env });
      let output = '';
      child.all!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      await web.asked('/hold', child, () => output);
      const slirps = slirpsOf(child.pid ?? 0);
      expect(slirps).toHaveLength(1);
      expect(footprint.now().join('\n')).toMatch(/: dockerd /);
      child.kill(signal);
      const ended = await child;
      if (signal === 'SIGINT') {
        expect(ended.exitCode, output).toBe(130);
        expect(slirps.filter(running)).toEqual([]);
        expect(footprint.now()).toEqual([]);
      } else {
        // Nobody cleans up after SIGKILL: slirp4netns goes when its pipe from the CLI closes, the engine
        // by its launcher's dead-man switch, at dockerd's own pace. The ceiling only catches a hang.
        const left = () => footprint.now().filter((line) => !line.startsWith(`file ${join(footprint.tmp, 'lesson-hold-')}`));
        const deadline = Date.now() + 60_000;
        while ((slirps.some(running) || left().length > 0) && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 200));
        expect(slirps.filter(running)).toEqual([]);
        // The run's own folder stays: only the CLI removes it, and it was killed.
        expect(left()).toEqual([]);
      }
      expect(hostNetwork()).toBe(before);
    } finally {
      footprint.remove();
    }
  });
});

describe('outbound network needs slirp4netns', () => {
  test('without it, an engine that asks for outbound cannot start, and says what to install', async () => {
    const { outboundUnavailable } = await import('../../src/run/outbound.js');
    const empty = mkdtempSync(join(work, 'path-'));
    expect(await outboundUnavailable(empty)).toMatch(/^slirp4netns not found \(network: outbound needs it\): install it with `apt-get install slirp4netns`/);
    if (!skip) expect(await outboundUnavailable(`${process.env.PATH}:/usr/sbin:/sbin`)).toBeUndefined();
  });
});
