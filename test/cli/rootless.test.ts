// No root needed: a user who is not root, with subordinate ids, runs lessons on a rootless private
// engine, sandboxed. The test makes such a user (and one without subordinate ids), runs the CLI as them
// from a copy of the built project they can read, and then looks for anything of theirs left on the
// machine: a process of the user or of their subordinate ids, a mount, a file in their temp folder.
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { lesson, noUpstream, root } from '../helpers.js';
import { missingTools, standIns, Upstream } from '../run/upstream.js';

const has = (program: string) => execaSync('sh', ['-c', `command -v ${program} || test -x /usr/sbin/${program}`], { reject: false }).exitCode === 0;

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'making the test users needs root';
  for (const program of ['useradd', 'userdel', 'usermod', 'setpriv']) if (!has(program)) return `${program} is missing`;
  const parts = ['dockerd', 'rootlesskit', 'newuidmap', 'newgidmap', 'bwrap', 'unshare', 'ip'].filter((program) => !has(program));
  if (!existsSync('/usr/share/docker.io/contrib/dockerd-rootless.sh') && !has('dockerd-rootless.sh')) parts.push('dockerd-rootless.sh');
  return parts.length > 0 ? `rootless Docker's parts are missing (${parts.join(', ')}): run \`bash scripts/setup.sh\`` : undefined;
}

const skip = skipReason();
if (skip) console.warn(`rootless tests skipped: ${skip}`);

interface User {
  name: string;
  uid: number;
  home: string;
  /** Their own TMPDIR, where every run makes its folder and its engine's. */
  tmp: string;
  subuid?: { start: number; count: number };
}

const suffix = process.pid % 100000;
const users: User[] = [];
let copy = '';
/** Set when the kernel refuses user namespaces to users: the tests say so and skip. */
let refused: string | undefined;

function idOf(name: string): number {
  return Number(execaSync('id', ['-u', name]).stdout.trim());
}

function subuidOf(name: string): User['subuid'] {
  const line = readFileSync('/etc/subuid', 'utf8').split('\n').find((entry) => entry.startsWith(`${name}:`));
  const [, start, count] = line?.split(':') ?? [];
  return start && count ? { start: Number(start), count: Number(count) } : undefined;
}

/** A user with a home of their own, and subordinate ids unless `system` (Debian hands none to system users). */
function makeUser(name: string, system: boolean): User {
  execaSync('useradd', [...(system ? ['--system'] : []), '--create-home', '--home-dir', `/home/${name}`, '--shell', '/bin/sh', name]);
  const uid = idOf(name);
  const user: User = { name, uid, home: `/home/${name}`, tmp: mkdtempSync(join(tmpdir(), 'rl-')) };
  users.push(user);
  chownSync(user.tmp, uid, uid);
  if (!system && !subuidOf(name)) {
    // Where useradd hands out none: a range after every other.
    const taken = `${readFileSync('/etc/subuid', 'utf8')}\n${readFileSync('/etc/subgid', 'utf8')}`.split('\n').map((line) => line.split(':'));
    const start = Math.max(100000, ...taken.filter((f) => f.length === 3).map((f) => Number(f[1]) + Number(f[2])));
    execaSync('usermod', ['--add-subuids', `${start}-${start + 65535}`, '--add-subgids', `${start}-${start + 65535}`, name]);
  }
  user.subuid = subuidOf(name);
  return user;
}

function removeUser(user: User): void {
  execaSync('pkill', ['-KILL', '-u', String(user.uid)], { reject: false });
  const range = user.subuid;
  if (range) {
    const last = range.start + range.count - 1;
    execaSync('usermod', ['--del-subuids', `${range.start}-${last}`, '--del-subgids', `${range.start}-${last}`, user.name], { reject: false });
  }
  execaSync('userdel', ['--remove', user.name], { reject: false });
  rmSync(user.tmp, { recursive: true, force: true });
}

/**
 * Declares what root recorded as the variant of a rootless engine: the same outputs (a rootless engine
 * prints other layer sizes, which these pages do not show). `shows` is a line root's run printed.
 */
function declareRootless(file: string, shows: string): void {
  const snapshot = parse(readFileSync(file, 'utf8')) as { environment: Record<string, string>; steps: Record<string, { output: string }> };
  expect(Object.values(snapshot.steps).map((step) => step.output).join('')).toContain(shows);
  snapshot.environment['engine mode'] = 'rootless';
  writeFileSync(file, stringify(snapshot));
}

/** The CLI of the copy, run as `user`, with nothing of root's environment. */
function asUser(user: User, args: string[], env: Record<string, string> = {}) {
  return execa('setpriv', ['--reuid', String(user.uid), '--regid', String(user.uid), '--init-groups', process.execPath, join(copy, 'dist/cli/bin.cjs'), ...args], {
    cwd: copy,
    env: {
      HOME: user.home,
      TMPDIR: user.tmp,
      // A login's PATH, which finds the same docker CLI as root's.
      PATH: [...new Set(['/usr/local/bin', '/usr/bin', '/bin', dirname(process.execPath)])].join(':'),
      NO_COLOR: '1',
      CI: 'true',
      LESSON_REGISTRY_UPSTREAM: noUpstream,
      ...env,
    },
    extendEnv: false,
    reject: false,
    all: true,
  });
}

/** Everything of `user` on the machine now: processes (theirs, or of their subordinate ids), mounts, files in their TMPDIR. */
function leftBehind(user: User): string[] {
  const left: string[] = [];
  const ours = (uid: number) => uid === user.uid || (user.subuid !== undefined && uid >= user.subuid.start && uid < user.subuid.start + user.subuid.count);
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      // A zombie is dead already: only an init that does not reap (as in some containers) keeps its entry.
      if (ours(uid) && !/^State:\s+Z/m.test(status)) left.push(`process ${pid} (uid ${uid}): ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 120)}`);
    } catch {
      // gone meanwhile
    }
  }
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((line) => line.split(' ')[4] ?? '');
  left.push(...mounts.filter((point) => point.startsWith(user.tmp) || point.startsWith(user.home)).map((point) => `mount ${point}`));
  left.push(...readdirSync(user.tmp).map((name) => `file ${join(user.tmp, name)}`));
  return left;
}

describe.skipIf(skip)('as a user without root, on a rootless engine', () => {
  let user: User;
  let bare: User;

  beforeAll(() => {
    // The checkout may sit where the users cannot go: the built CLI, node-pty and the pages go to a folder they can read.
    copy = mkdtempSync(join(tmpdir(), 'lesson-rootless-'));
    chmodSync(copy, 0o755);
    for (const path of ['dist', 'package.json', 'node_modules/node-pty', 'lessons/layers.md', 'snapshots/layers.yaml', 'test/fixtures/rootless']) {
      cpSync(join(root, path), join(copy, path), { recursive: true });
    }
    execaSync('chmod', ['-R', 'a+rX', copy]);
    user = makeUser(`lessonrl${suffix}`, false);
    bare = makeUser(`lessonns${suffix}`, true);
    const probe = execaSync('setpriv', ['--reuid', String(user.uid), '--regid', String(user.uid), '--init-groups', 'unshare', '--user', '--map-root-user', 'true'], { reject: false, cwd: '/' });
    if (probe.exitCode !== 0) refused = `the kernel refuses user namespaces to users here: ${probe.stderr.trim()}`;
  });

  afterAll(() => {
    for (const each of users) removeUser(each);
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  test('the Layers lesson passes against its snapshot, sandboxed, and leaves nothing behind', async (ctx) => {
    if (refused) ctx.skip(refused);
    expect(user.subuid, 'useradd or usermod gave the user subordinate ids').toBeDefined();
    const run = await asUser(user, ['lessons/layers.md']);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toContain('  engine start ');
    expect(run.stdout).not.toContain('no sandbox');
    expect(run.stdout.split('\n').at(-1)).toBe('11 passed, 0 failed, 0 skipped');
    // The stand-in image is cached per user, in their own cache folder.
    expect(readdirSync(join(user.home, '.cache/lesson')).some((name) => name.startsWith('alpine-standin-'))).toBe(true);
    expect(leftBehind(user)).toEqual([]);
    // Nothing of the user's own rootless Docker was made or used.
    expect(existsSync(join(user.home, '.local/share/docker'))).toBe(false);
  });

  test('what a page prints run by root, it prints run rootless: owners, ids, security options', async (ctx) => {
    if (refused) ctx.skip(refused);
    const snapshots = mkdtempSync(join(tmpdir(), 'lesson-rootless-snapshots-'));
    try {
      const page = join(copy, 'test/fixtures/rootless/owners.md');
      const recorded = await lesson(['run', page, '-u', '--snapshots', snapshots]);
      expect(recorded.exitCode, recorded.all).toBe(0);
      declareRootless(join(snapshots, 'owners.yaml'), 'nobody nogroup');
      chmodSync(snapshots, 0o755);
      execaSync('chmod', ['-R', 'a+r', snapshots]);

      const run = await asUser(user, ['check', page, '--snapshots', snapshots]);
      expect(run.exitCode, run.all).toBe(0);
      expect(run.stdout.split('\n').at(-1)).toBe('1 passed, 0 failed, 0 skipped');
      // Files of subordinate ids in the run's folder went with it.
      expect(leftBehind(user)).toEqual([]);
    } finally {
      rmSync(snapshots, { recursive: true, force: true });
    }
  });

  test('an image beyond the stand-in is pulled through the cache, and the registries stop with the run', async (ctx) => {
    if (refused) ctx.skip(refused);
    const tools = missingTools();
    if (tools) ctx.skip(tools);
    const upstream = await Upstream.start();
    const snapshots = mkdtempSync(join(tmpdir(), 'lesson-rootless-snapshots-'));
    try {
      await upstream.seed(standIns.filter((image) => image.repository === 'library/ubuntu'));
      const page = join(copy, 'test/fixtures/rootless/pull.md');
      const recorded = await lesson(['run', page, '-u', '--snapshots', snapshots], { env: { LESSON_REGISTRY_UPSTREAM: upstream.url } });
      expect(recorded.exitCode, recorded.all).toBe(0);
      declareRootless(join(snapshots, 'pull.yaml'), 'NAME="Ubuntu stand-in"');
      chmodSync(snapshots, 0o755);
      execaSync('chmod', ['-R', 'a+r', snapshots]);

      upstream.clearLog();
      const run = await asUser(user, ['check', page, '--snapshots', snapshots], { LESSON_REGISTRY_UPSTREAM: upstream.url });
      expect(run.exitCode, run.all).toBe(0);
      // The user's own cache, cold, asked the upstream.
      expect(upstream.blobRequests().some((line) => line.includes('/v2/library/ubuntu/blobs/'))).toBe(true);
      expect(existsSync(join(user.home, '.cache/lesson/registry'))).toBe(true);
      expect(leftBehind(user)).toEqual([]);
    } finally {
      await upstream.stop();
      rmSync(snapshots, { recursive: true, force: true });
    }
  });

  test('Ctrl-C with a container up and files of subordinate ids written: exits 130 and leaves nothing behind', async (ctx) => {
    if (refused) ctx.skip(refused);
    const page = join(copy, 'test/fixtures/rootless/interrupted.md');
    const snapshots = mkdtempSync(join(user.tmp, 'snapshots-'));
    chownSync(snapshots, user.uid, user.uid);
    const child = asUser(user, ['run', page, '--snapshots', snapshots]);
    // The third step has written a file as the container's nobody into a folder of theirs, and sleeps.
    const written = () => readdirSync(user.tmp).some((name) => existsSync(join(user.tmp, name, 'work/sous/f')));
    while (!written()) {
      if (child.exitCode !== null) break;
      await new Promise((wait) => setTimeout(wait, 100));
    }
    child.kill('SIGINT');
    const run = await child;
    expect(run.exitCode, run.all).toBe(130);
    rmSync(snapshots, { recursive: true, force: true });
    expect(leftBehind(user)).toEqual([]);
  });

  test('without subordinate ids, Docker lessons are skipped with the line to add and the command that adds it', async (ctx) => {
    if (refused) ctx.skip(refused);
    expect(bare.subuid).toBeUndefined();
    const run = await asUser(bare, ['check', 'lessons/layers.md', '--reporter', 'json']);
    expect(run.exitCode, run.all).toBe(0);
    const report = JSON.parse(run.stdout) as { summary: unknown; lessons: { reason?: string }[] };
    expect(report.summary).toEqual({ passed: 0, failed: 0, skipped: 1 });
    const reason = report.lessons[0]?.reason ?? '';
    expect(reason).toMatch(/^docker: a private Docker engine needs root, or for a rootless one: /);
    expect(reason).toMatch(new RegExp(`no subordinate ids for ${bare.name} in /etc/subuid: add the line \`${bare.name}:\\d+:65536\``));
    expect(reason).toMatch(new RegExp(`usermod --add-subuids \\d+-\\d+ --add-subgids \\d+-\\d+ ${bare.name}`));
    expect(reason).toContain('/etc/subgid');
    expect(leftBehind(bare)).toEqual([]);
  });
});
