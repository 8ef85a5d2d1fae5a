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

/** The id a subordinate host id stands for inside the user namespace; undefined outside the range. */
function inside(id: number, side: Side): number | undefined {
  const range = side.range;
  return range && id >= range.start && id < range.start + range.count ? id - range.start + 1 : undefined;
}

/**
 * An owner or group column of `ls -l` as root's run prints it. The user's own id is left as a number:
 * a container's user may have the same one (`--user 1000`), and its files must keep it. `named`: the
 * listing shows names (not `ls -n`), so a mapped id gets the name the host has for it.
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

// GNU ls: mode and links, then owner and group (names padded after, numbers before, to the widest in
// the listing), then the size (padded before).
const ROW = /^([-bcdlpsD][-rwxsStT]{9}[.+@]?\s+\d+ )(\S+)( +)(\S+)( +)(\d+)( .*)$/;

function align(value: string, width: number): string {
  return /^\d+$/.test(value) ? value.padStart(width) : value.padEnd(width);
}

/** One listing (rows one after the other), its owners and groups as root's run shows them, laid out again as ls would. */
function relist(block: string, user: Side, group: Side): string {
  const lines = block.split('\n');
  const rows = lines.map((line) => ROW.exec(line));
  // `ls -l` or `ls -n`: one owner or group that is not a number shows names.
  const named = rows.some((row) => row && (!/^\d+$/.test(row[2] ?? '') || !/^\d+$/.test(row[4] ?? '')));
  const mapped = rows.map((row) => row && { lead: row[1] ?? '', owner: column(row[2] ?? '', user, named), group: column(row[4] ?? '', group, named), size: row[6] ?? '', rest: row[7] ?? '' });
  if (mapped.every((row, i) => !row || (row.owner === rows[i]?.[2] && row.group === rows[i]?.[4]))) return block;
  const width = (pick: (row: NonNullable<(typeof mapped)[number]>) => string) => Math.max(0, ...mapped.map((row) => (row ? pick(row).length : 0)));
  const [owners, groups, sizes] = [width((row) => row.owner), width((row) => row.group), width((row) => row.size)];
  return lines.map((line, i) => {
    const row = mapped[i];
    return row ? `${row.lead}${align(row.owner, owners)} ${align(row.group, groups)} ${row.size.padStart(sizes)}${row.rest}` : line;
  }).join('\n');
}

/**
 * The `rootless` normalizer, for a lesson run by a user who is not root: what it prints reads as what
 * the same lesson prints when root runs it (on a private engine as root, or one's own). The user's name
 * is root's, and subordinate ids (files a container's `nobody` wrote into a bind-mounted folder) are the
 * ids they stand for inside the engine, in `id`, `ls -l` and `stat` outputs. `docker info`'s `rootless`
 * security option and its warning about cgroups go.
 */
export function normalizeRootless(identity: RunIdentity | undefined): Transform {
  if (!identity) return unchanged;
  const user: Side = { name: identity.user, id: identity.uid, range: identity.subuid, names: identity.users ?? {} };
  const group: Side = { name: identity.group, id: identity.gid, range: identity.subgid, names: identity.groups ?? {} };
  const [uid, name, gid, groupName] = [String(identity.uid), escape(identity.user), String(identity.gid), escape(identity.group)];
  const listings = (text: string): string => text.replace(/^(?:[-bcdlpsD][-rwxsStT]{9}.*(?:\n|$))+/gm, (block) => relist(block, user, group));
  // `id`: uid=1001(u) gid=1001(u) groups=1001(u),27(sudo)
  const idUser = new RegExp(`\\b(e?uid)=${uid}\\(${name}\\)`, 'g');
  const idGroup = new RegExp(`(\\b(?:e?gid|groups)=|,)${gid}\\(${groupName}\\)`, 'g');
  // `stat`: Uid: ( 1001/   u)   Gid: ( 1001/   u)
  const statLine = /\b(Uid|Gid): \(\s*(\d+)\/\s*(\S+)\)/g;
  // The quick test: what every rule below needs, the user's or group's name, a number as long as a
  // subordinate id, or docker info's words.
  const digits = Math.min(String(identity.subuid?.start ?? 100000).length, String(identity.subgid?.start ?? 100000).length);
  const needs = new RegExp(`${name}|${groupName}|\\d{${digits}}|rootless|\\(containerized\\)`);
  return (text) => {
    if (!needs.test(text)) return text;
    return listings(text)
      .replace(idUser, '$1=0(root)')
      .replace(idGroup, (_, lead: string) => `${lead}0(root)`)
      .replace(statLine, (whole, which: string, id: string, who: string) => {
        const side = which === 'Uid' ? user : group;
        const mapped = who === side.name && id === String(side.id) ? 0 : inside(Number(id), side);
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
