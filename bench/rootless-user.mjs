// A user of the benchmark's own, without root and with subordinate ids, for the rootless engine to be
// measured beside the root one on the same machine. Made when the benchmark starts (it runs as root, as
// the private engine needs), removed when it ends, with whatever of theirs was left.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { root, which } from './lib.mjs';

const sh = (command, args) => spawnSync(command, args, { encoding: 'utf8' });

/** Why no rootless engine can be measured here, or undefined. */
export function rootlessUnavailable() {
  if (process.getuid?.() !== 0) return 'making a user of the benchmark needs root';
  const missing = ['useradd', 'userdel', 'setpriv', 'rootlesskit', 'newuidmap'].filter((program) => !which(program) && !existsSync(`/usr/sbin/${program}`));
  if (!existsSync('/usr/share/docker.io/contrib/dockerd-rootless.sh') && !which('dockerd-rootless.sh')) missing.push('dockerd-rootless.sh');
  if (missing.length > 0) return `missing ${missing.join(', ')}: bash scripts/setup.sh`;
  // The CLI is run from the checkout as that user: it must be able to read it.
  const readable = sh('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', join(root, 'dist/cli/main.cjs')]);
  return readable.status === 0 ? undefined : `the checkout ${root} cannot be read by other users`;
}

/** Runs `work(user)` with a fresh user that has subordinate ids; the user and all of theirs go afterwards. */
export function withRootlessUser(work) {
  const name = `lessonbench${process.pid % 100000}`;
  const made = sh('useradd', ['--create-home', '--home-dir', `/home/${name}`, '--shell', '/bin/sh', name]);
  if (made.status !== 0) throw new Error(`useradd ${name}: ${made.stderr}`);
  const uid = Number(sh('id', ['-u', name]).stdout.trim());
  const tmp = mkdtempSync(join(tmpdir(), 'bench-rootless-'));
  let range;
  try {
    chownSync(tmp, uid, uid);
    if (!readFileSync('/etc/subuid', 'utf8').split('\n').some((line) => line.startsWith(`${name}:`))) {
      const taken = `${readFileSync('/etc/subuid', 'utf8')}\n${readFileSync('/etc/subgid', 'utf8')}`.split('\n').map((line) => line.split(':'));
      const start = Math.max(100000, ...taken.filter((f) => f.length === 3).map((f) => Number(f[1]) + Number(f[2])));
      sh('usermod', ['--add-subuids', `${start}-${start + 65535}`, '--add-subgids', `${start}-${start + 65535}`, name]);
    }
    const [, start, count] = readFileSync('/etc/subuid', 'utf8').split('\n').find((line) => line.startsWith(`${name}:`))?.split(':') ?? [];
    range = start && `${start}-${Number(start) + Number(count) - 1}`;
    const user = {
      name,
      /** The environment of a run as that user: a login's PATH, their home, their temp folder. */
      env: { NO_COLOR: '1', HOME: `/home/${name}`, TMPDIR: tmp, PATH: [...new Set(['/usr/local/bin', '/usr/bin', '/bin', dirname(process.execPath)])].join(':') },
      /** `command args` as that user. */
      argv: (command, args) => ['setpriv', ['--reuid', String(uid), '--regid', String(uid), '--init-groups', command, ...args]],
    };
    return work(user);
  } finally {
    sh('pkill', ['-KILL', '-u', String(uid)]);
    if (range) sh('usermod', ['--del-subuids', range, '--del-subgids', range, name]);
    sh('userdel', ['--remove', name]);
    rmSync(tmp, { recursive: true, force: true });
  }
}
