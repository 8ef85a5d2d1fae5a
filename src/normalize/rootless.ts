import type { Transform } from './transform.js';
import { unchanged } from './transform.js';

/** A range of subordinate ids: host ids start..start+count-1 are ids 1..count inside the engine. */
export interface IdRange {
  start: number;
  count: number;
}

/** Who ran the lesson, when not root, and the ids their rootless engine maps. */
export interface RunIdentity {
  user: string;
  uid: number;
  group: string;
  gid: number;
  subuid?: IdRange;
  subgid?: IdRange;
  /** The host's names for ids a container may use (root, nobody...), as `ls -l` and `stat` print them for root. */
  users?: Record<string, string>;
  groups?: Record<string, string>;
}

interface Side {
  name: string;
  id: number;
  range?: IdRange;
  names: Record<string, string>;
}

/** The id a host id stands for inside the user namespace; undefined when it is not mapped there. */
function inside(id: number, side: Side): number | undefined {
  if (id === side.id) return 0;
  const range = side.range;
  return range && id >= range.start && id < range.start + range.count ? id - range.start + 1 : undefined;
}

/**
 * An owner or group column of `ls -l` as root's run prints it. `named`: the listing shows names (not
 * `ls -n`), so an id the host has no name for, once mapped, gets the name the host has for that id.
 */
function column(value: string, side: Side, named: boolean): string {
  if (value === side.name) return side.names['0'] ?? 'root';
  if (!/^\d+$/.test(value)) return value;
  const id = inside(Number(value), side);
  if (id === undefined) return value;
  return (named && side.names[String(id)]) || String(id);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The `rootless` normalizer, for a lesson run by a user who is not root: what it prints reads as what
 * the same lesson prints when root runs it (on a private engine as root, or one's own). The user's own
 * name and ids are root's, and subordinate ids (files a container's `nobody` wrote into a bind-mounted
 * folder) are the ids they stand for inside the engine, in `id`, `ls -l` and `stat` outputs. `docker
 * info`'s `rootless` security option and its warning about cgroups go.
 */
export function normalizeRootless(identity: RunIdentity | undefined): Transform {
  if (!identity) return unchanged;
  const user: Side = { name: identity.user, id: identity.uid, range: identity.subuid, names: identity.users ?? {} };
  const group: Side = { name: identity.group, id: identity.gid, range: identity.subgid, names: identity.groups ?? {} };
  const [uid, name, gid, groupName] = [String(identity.uid), escape(identity.user), String(identity.gid), escape(identity.group)];
  // `ls -l`: mode, links, owner, group.
  const row = /^([-bcdlpsD][-rwxsStT]{9}[.+@]?\s+\d+\s+)(\S+)(\s+)(\S+)(?=\s)/;
  // A listing: rows one after the other. `ls -l` or `ls -n`: one owner or group that is not a number shows names.
  const listings = (text: string): string =>
    text.replace(/^(?:[-bcdlpsD][-rwxsStT]{9}.*(?:\n|$))+/gm, (block) => {
      const rows = block.split('\n').map((line) => row.exec(line));
      const named = rows.some((match) => match && (!/^\d+$/.test(match[2] ?? '') || !/^\d+$/.test(match[4] ?? '')));
      return block
        .split('\n')
        .map((line) => line.replace(row, (_, lead: string, owner: string, gap: string, grp: string) => `${lead}${column(owner, user, named)}${gap}${column(grp, group, named)}`))
        .join('\n');
    });
  // `id`: uid=1001(u) gid=1001(u) groups=1001(u),27(sudo)
  const idUser = new RegExp(`\\b(e?uid)=${uid}\\(${name}\\)`, 'g');
  const idGroup = new RegExp(`(\\b(?:e?gid|groups)=|,)${gid}\\(${groupName}\\)`, 'g');
  // `stat`: Uid: ( 1001/   u)   Gid: ( 1001/   u)
  const statLine = /\b(Uid|Gid): \(\s*(\d+)\/\s*\S+\)/g;
  return (text) => {
    if (!text) return text;
    return listings(text)
      .replace(idUser, '$1=0(root)')
      .replace(idGroup, (_, lead: string) => `${lead}0(root)`)
      .replace(statLine, (whole, which: string, id: string) => {
        const side = which === 'Uid' ? user : group;
        const mapped = inside(Number(id), side);
        if (mapped === undefined) return whole;
        // stat pads the id to 5 and the name to 8.
        return `${which}: (${String(mapped).padStart(5)}/${(side.names[String(mapped)] ?? 'UNKNOWN').padStart(8)})`;
      })
      // The engine's pid namespace makes dockerd believe it runs in a container.
      .replace(/^( Operating System: .*) \(containerized\)$/gm, '$1')
      // docker info: the security option, in its text and its JSON forms, and the warning that comes with it.
      .replace(/^( +)rootless\n/gm, '')
      .replace(/,\s*"name=rootless"/g, '')
      .replace(/"name=rootless",\s*/g, '')
      .replace(/^WARNING: Running in rootless-mode without cgroups\..*\n?/gm, '');
  };
}
