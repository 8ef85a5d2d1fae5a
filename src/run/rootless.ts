// What a user who is not root needs for a private engine of their own: rootless Docker's parts
// (Debian's docker.io ships dockerd-rootless.sh in its contrib folder; rootlesskit; newuidmap and
// newgidmap from uidmap), user namespaces the kernel lets them create, and a range of subordinate ids
// in /etc/subuid and /etc/subgid for the ids a container uses besides root. Each thing missing is
// named with the command that adds it.

import { readFile, rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { execa } from 'execa';
import type { IdRange, RunIdentity } from '../normalize/rootless.js';
import { findProgram } from './find-program.js';

/** Where Debian's docker.io keeps the script; Docker's own packages put it on PATH. */
const DEBIAN_SCRIPT = '/usr/share/docker.io/contrib/dockerd-rootless.sh';

/** Fewer ids than this cannot map `nobody` (65534), which many images use. */
export const SUBORDINATE_COUNT = 65536;

/** Who runs lesson, and the ids their rootless engine maps: what the `rootless` normalizer reads back. */
export type Identity = RunIdentity;

/** Whether this process runs without root, and so gets a rootless engine. */
export function runsRootless(): boolean {
  return process.getuid?.() !== 0;
}

/**
 * The first range of `/etc/subuid`-style `text` that belongs to the user (by name or uid), or
 * undefined. Pure.
 */
export function subordinateRange(text: string, user: string, uid: number): IdRange | undefined {
  for (const line of text.split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if ((owner === user || owner === String(uid)) && /^\d+$/.test(start ?? '') && /^\d+$/.test(count ?? '')) {
      return { start: Number(start), count: Number(count) };
    }
  }
  return undefined;
}

/** The first id after every range the files hand out: a range starting there overlaps no one's. Pure. */
export function freeStart(...texts: string[]): number {
  let end = 100000;
  for (const line of texts.join('\n').split('\n')) {
    const [, start, count] = line.trim().split(':');
    if (/^\d+$/.test(start ?? '') && /^\d+$/.test(count ?? '')) end = Math.max(end, Number(start) + Number(count));
  }
  return end;
}

async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => '');
}

/** The user's range from the file, else from getsubids (subordinate ids served by NSS, e.g. LDAP). */
async function rangeOf(file: string, flag: string[], user: string, uid: number): Promise<IdRange | undefined> {
  const found = subordinateRange(await readText(file), user, uid);
  if (found) return found;
  const asked = await execa('getsubids', [...flag, user], { reject: false });
  const match = asked.exitCode === 0 ? /^\d+:\s*\S+\s+(\d+)\s+(\d+)/m.exec(asked.stdout) : null;
  return match ? { start: Number(match[1]), count: Number(match[2]) } : undefined;
}

/** `/etc/passwd`-style `text` as id → name, the first name of each id as `ls` shows it. Pure. */
export function namesById(text: string): Record<string, string> {
  const names: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [name = '', , id = ''] = line.split(':');
    if (name && /^\d+$/.test(id) && !(id in names)) names[id] = name;
  }
  return names;
}

/** Who runs this process, with their subordinate ranges and the host's names for a container's ids. */
export async function currentIdentity(): Promise<Identity> {
  const info = userInfo();
  const uid = info.uid;
  const gid = info.gid;
  const [passwd, groupFile] = await Promise.all([readText('/etc/passwd'), readText('/etc/group')]);
  const groups = namesById(groupFile);
  const group = groups[String(gid)] ?? String(gid);
  const [subuid, subgid] = await Promise.all([rangeOf('/etc/subuid', [], info.username, uid), rangeOf('/etc/subgid', ['-g'], info.username, uid)]);
  return { user: info.username, uid, group, gid, ...(subuid && { subuid }), ...(subgid && { subgid }), users: namesById(passwd), groups };
}

/** dockerd-rootless.sh: on PATH (Docker's packages), else in Debian's docker.io contrib folder. */
export async function rootlessScript(path: string): Promise<string | undefined> {
  return (await findProgram('dockerd-rootless.sh', path)) ?? (await findProgram('dockerd-rootless.sh', DEBIAN_SCRIPT.replace(/\/[^/]+$/, '')));
}

async function sysctl(name: string): Promise<string | undefined> {
  return (await readFile(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8').catch(() => undefined))?.trim();
}

/**
 * What keeps this user from starting a rootless engine, each with the command that adds it (as
 * root); empty when nothing does. `path` is where programs are looked up (with sbin).
 */
export async function rootlessMissing(path: string): Promise<string[]> {
  const missing: string[] = [];
  const install = (pkg: string) => `install it with \`apt-get install ${pkg}\` (or run \`bash scripts/setup.sh\`)`;
  for (const [program, pkg] of [['rootlesskit', 'rootlesskit'], ['newuidmap', 'uidmap'], ['newgidmap', 'uidmap']] as const) {
    if (!(await findProgram(program, path))) missing.push(`${program} not found: ${install(pkg)}`);
  }
  if (!(await rootlessScript(path))) missing.push(`dockerd-rootless.sh not found (neither on PATH nor in ${DEBIAN_SCRIPT}): ${install('docker.io')}`);
  if ((await sysctl('kernel.unprivileged_userns_clone')) === '0') {
    missing.push('the kernel refuses user namespaces to users: `sysctl -w kernel.unprivileged_userns_clone=1`');
  }
  if ((await sysctl('user.max_user_namespaces')) === '0') missing.push('user namespaces are turned off: `sysctl -w user.max_user_namespaces=28633`');
  if ((await sysctl('kernel.apparmor_restrict_unprivileged_userns')) === '1') {
    missing.push('AppArmor keeps users from creating user namespaces: `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (or an AppArmor profile that allows rootlesskit and bwrap)');
  }
  const me = await currentIdentity();
  const files = await Promise.all([readText('/etc/subuid'), readText('/etc/subgid')]);
  const start = freeStart(...files);
  const fix = `\`usermod --add-subuids ${start}-${start + SUBORDINATE_COUNT - 1} --add-subgids ${start}-${start + SUBORDINATE_COUNT - 1} ${me.user}\``;
  for (const [file, range] of [['/etc/subuid', me.subuid], ['/etc/subgid', me.subgid]] as const) {
    if (!range) missing.push(`no subordinate ids for ${me.user} in ${file}: add the line \`${me.user}:${start}:${SUBORDINATE_COUNT}\` (as root: ${fix})`);
    else if (range.count < SUBORDINATE_COUNT) missing.push(`${me.user} has ${range.count} subordinate ids in ${file}, fewer than ${SUBORDINATE_COUNT}: give a range like \`${me.user}:${start}:${SUBORDINATE_COUNT}\` (as root: ${fix})`);
  }
  return missing;
}

/**
 * Removes a folder whatever the ids its files belong to. A rootless engine, and containers writing
 * into a bind-mounted folder, leave files owned by subordinate ids, which their user cannot remove
 * outright; inside a user namespace that maps those ids (rootlesskit's), they can.
 */
export async function removeAnyOwner(folder: string, path: string): Promise<void> {
  const removed = await rm(folder, { recursive: true, force: true, maxRetries: 3 }).then(() => true, () => false);
  if (removed || !runsRootless()) return;
  await execa('rootlesskit', ['rm', '-rf', folder], { reject: false, env: { PATH: path } });
}
