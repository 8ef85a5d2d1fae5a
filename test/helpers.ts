import { execa, execaSync } from 'execa';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const cli = fileURLToPath(new URL('../dist/cli/bin.cjs', import.meta.url));

/** An image upstream that refuses at once: a port on loopback nothing listens on. */
export const noUpstream = 'http://127.0.0.1:4';

/** Runs the compiled CLI as a user would, never throwing on a non-zero exit. */
export function lesson(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return execa('node', [cli, ...args], {
    cwd: options.cwd ?? root,
    // CI is cleared so a test says itself whether it runs as CI (which never writes snapshots). The
    // image upstream is a port nothing listens on unless a test runs its own: tests reach no registry
    // off this machine.
    env: { NO_COLOR: '1', CI: '', LESSON_REGISTRY_UPSTREAM: noUpstream, ...options.env },
    reject: false,
    all: true,
  });
}

/** Why Docker tests cannot run here, or undefined when a private engine can be started. */
export function dockerSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'a private Docker engine needs root';
  const found = execaSync('sh', ['-c', 'command -v dockerd && command -v unshare && test -x /bin/busybox'], { reject: false });
  return found.exitCode === 0 ? undefined : 'dockerd, unshare or /bin/busybox is missing: run `bash scripts/setup.sh`';
}

/** Engine processes and mounts that runs of `lesson` own: none may outlive a run. */
export function leftovers(): { processes: string[]; mounts: string[] } {
  const processes = execaSync('ps', ['-eo', 'args='], { reject: false }).stdout
    .split('\n')
    .filter((line) => /\/lesson-/.test(line) && /dockerd|containerd|bash --noprofile/.test(line));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((line) => line.includes('/lesson-'));
  return { processes, mounts };
}
