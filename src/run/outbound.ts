// A private engine's way out, for a lesson that asks for it (`network: outbound`): slirp4netns gives the
// engine's network namespace a tap device with a TCP/IP stack in user space behind it, so what the
// engine and its containers send leaves as ordinary sockets of one host process. The host gains no
// interface, route or firewall rule; dockerd's NAT rules for its containers stay in the engine's
// namespace. Names resolve through slirp's resolver, which asks the host's.

import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findProgram } from './find-program.js';

/** slirp's resolver, inside the namespace: dockerd and its containers ask it (a resolv.conf naming it). */
export const SLIRP_RESOLVER = '10.0.2.3';

/**
 * For tests only: `1` lets the namespace reach the host's loopback as 10.0.2.2, so a test's server on
 * 127.0.0.1 stands in for the outside. Never set it otherwise: a lesson would then reach every service
 * that listens on the host's loopback only.
 */
export const HOST_LOOPBACK_VARIABLE = 'LESSON_SLIRP_HOST_LOOPBACK';

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 2000;

/** The resolv.conf dockerd reads in its mount namespace: containers get a copy of it. */
export function resolvConf(): string {
  return `nameserver ${SLIRP_RESOLVER}\n`;
}

/** Why outbound network cannot be given here, in one line, or undefined when it can. */
export async function outboundUnavailable(path: string): Promise<string | undefined> {
  for (const [program, pkg] of [['slirp4netns', 'slirp4netns'], ['mount', 'mount']] as const) {
    if (!(await findProgram(program, path))) return `${program} not found (network: outbound needs it): install it with \`apt-get install ${pkg}\` (or run \`bash scripts/setup.sh\`)`;
  }
  return undefined;
}

/** A running slirp4netns; `release` stops it (idempotent, never throws). */
export interface Outbound {
  release(): Promise<void>;
}

function slirpArgs(pid: number): string[] {
  // Its own mount namespace, an empty root and no capabilities but binding ports: it parses what
  // containers send. Host loopback off: 10.0.2.2 would otherwise be the host's 127.0.0.1.
  const loopback = process.env[HOST_LOOPBACK_VARIABLE] === '1' ? [] : ['--disable-host-loopback'];
  return ['--configure', '--mtu=65520', ...loopback, '--enable-sandbox', '--exit-fd=3', '--ready-fd=4', String(pid), 'tap0'];
}

function gone(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Attaches slirp4netns to the network namespace of process `pid` and resolves once the namespace has
 * its interface, address and default route. fd 3 is a pipe from node that nothing writes to: slirp4netns
 * exits when it closes, so a node that dies without releasing it leaves no helper running.
 */
export async function attachOutbound(pid: number, folder: string, path: string): Promise<Outbound> {
  const logFile = join(folder, 'slirp4netns.log');
  const log = await open(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('slirp4netns', slirpArgs(pid), { stdio: ['ignore', log.fd, log.fd, 'pipe', 'pipe'], env: { PATH: path } });
  } finally {
    await log.close();
  }
  child.on('error', () => undefined);
  let released: Promise<void> | undefined;
  const release = (): Promise<void> =>
    (released ??= (async () => {
      if (gone(child)) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdio[3]?.destroy();
      const deadline = Date.now() + STOP_GRACE_MS;
      while (!gone(child) && Date.now() < deadline) await Promise.race([exited, sleep(20)]);
      if (!gone(child)) child.kill('SIGKILL');
      await exited;
    })());
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = async (why: string) => {
        clearTimeout(timer);
        const text = (await readFile(logFile, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-5).join('\n');
        reject(new Error(`slirp4netns ${why} (network: outbound):\n${text}`));
      };
      const timer = setTimeout(() => void fail(`did not configure the engine's network within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
      // It may have exited already, while the log was closed: its exit event is then past.
      if (gone(child)) void fail(`exited while starting (${child.signalCode ?? child.exitCode})`);
      else child.once('exit', (code, signal) => void fail(`exited while starting (${signal ?? code})`));
      child.stdio[4]?.once('data', () => {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve();
      });
    });
  } catch (error) {
    await release();
    throw error;
  }
  child.stdio[4]?.destroy();
  // A forgotten release must not keep node alive; the pipe on fd 3 stops slirp4netns when node goes.
  child.unref();
  (child.stdio[3] as unknown as { unref?: () => void } | null)?.unref?.();
  return { release };
}
