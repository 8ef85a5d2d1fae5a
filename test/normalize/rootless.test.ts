// The `rootless` normalizer, on outputs recorded from the same commands run by a user on a rootless
// private engine and by root on a private engine (test/fixtures/outputs/rootless/): `id`, `ls -l`,
// `ls -ln` and `stat` of files the user, a container's root and a container's `nobody` wrote into a
// bind-mounted folder, and `docker info`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeRun, type NormalizeContext } from '../../src/normalize/index.js';
import type { RunIdentity } from '../../src/normalize/rootless.js';
import { freeStart, namesById, subordinateRange } from '../../src/run/rootless.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/outputs/rootless/${name}`, import.meta.url), 'utf8');
}

// Who recorded the rootless outputs: lrexp (1001), subordinate ids from 100000, on a host where 65534 is nobody/nogroup.
const identity: RunIdentity = {
  user: 'lrexp',
  uid: 1001,
  group: 'lrexp',
  gid: 1001,
  subuid: { start: 100000, count: 65536 },
  subgid: { start: 100000, count: 65536 },
  users: { '0': 'root', '65534': 'nobody', '1001': 'lrexp' },
  groups: { '0': 'root', '65534': 'nogroup', '1001': 'lrexp' },
};
const settings: NormalizeContext['settings'] = { disable: [], rules: [] };
const normalize = (text: string, context: Partial<NormalizeContext> = {}) => normalizeRun([text], { settings, ...context })[0];

describe('rootless normalizer', () => {
  // The recordings hold `id`, `ls -l`, `ls -ln`, `stat` on the host and `ls -ln` in a container, each after a `==name` line.
  const sections = (text: string) => Object.fromEntries(text.split(/^==/m).filter(Boolean).map((part) => [part.split('\n')[0], part]));

  it('ids, listings and stat of a rootless run read as the same commands run as root', () => {
    const rootless = sections(normalize(fixture('ids-rootless.txt'), { identity })!);
    const root = sections(normalize(fixture('ids-root.txt'))!);
    expect(fixture('ids-rootless.txt')).toContain('drwxr-xr-x 2 165533 165533 4096');
    for (const name of ['id', 'ls', 'stat', 'inside']) expect(rootless[name], name).toBe(root[name]);
  });

  it("the user's own id stays a number: a container's user may have the same one", () => {
    const rootless = sections(normalize(fixture('ids-rootless.txt'), { identity })!);
    expect(rootless.lsn).toContain('drwxr-xr-x 2 65534 65534 4096 <time> bynobody\ndrwxr-xr-x 2  1001  1001 4096 <time> byroot');
    const inContainer = 'drwxr-xr-x    2 1001     1001          4096 Dec  2 02:07 made-with-user-1001\n';
    expect(normalize(inContainer, { identity })).toBe(normalize(inContainer));
  });

  it('a listing where the user’s name is longer than the others is laid out again as root’s ls lays it out', () => {
    const rootless = '-rw-r--r-- 1 lrexp  lrexp      0 Dec  2 02:07 mine\ndrwxr-xr-x 3 165533 165533 4096 Dec  2 02:07 nobody\n';
    const root = '-rw-r--r-- 1 root   root       0 Dec  2 02:07 mine\ndrwxr-xr-x 3 nobody nogroup 4096 Dec  2 02:07 nobody\n';
    expect(normalize(rootless, { identity, settings: { disable: ['tables', 'times'], rules: [] } })).toBe(
      '-rw-r--r-- 1 root   root       0 Dec  2 02:07 mine\ndrwxr-xr-x 3 nobody nogroup 4096 Dec  2 02:07 nobody\n',
    );
    expect(normalize(rootless, { identity })).toBe(normalize(root));
  });

  it('does nothing when root runs the lesson', () => {
    expect(normalize(fixture('ids-rootless.txt'))).toContain('uid=1001(lrexp)');
    expect(normalize(fixture('ids-rootless.txt'), { settings: { disable: ['rootless'], rules: [] }, identity })).toContain('uid=1001(lrexp)');
  });

  it('docker info loses its rootless security option, the cgroup warning and "(containerized)", and nothing else', () => {
    const paths = (dir: string) => ({ paths: { [dir]: '<engine>' } });
    const rootless = normalize(fixture('info-rootless.txt'), { identity, ...paths('/tmp/lesson-3DuC4N') })!;
    const root = normalize(fixture('info-root.txt'), paths('/tmp/lesson-UcI2b2'))!;
    expect(rootless).not.toMatch(/rootless/);
    expect(rootless).toContain('["name=seccomp,profile=default"]');
    // What truly differs stays: the storage driver's diff, the cgroup driver, the engine's ID.
    const differing = (a: string, b: string) => a.split('\n').filter((line) => !b.split('\n').includes(line));
    expect(differing(rootless, root).map((line) => line.split(':')[0]!.trim())).toEqual(['Native Overlay Diff', 'userxattr', 'Cgroup Driver', 'ID']);
    expect(differing(root, rootless).map((line) => line.split(':')[0]!.trim())).toEqual(['Native Overlay Diff', 'userxattr', 'Cgroup Driver', 'ID']);
  });

  it('a JSON list of security options loses rootless wherever it stands', () => {
    expect(normalize('["name=rootless","name=seccomp,profile=default"]\n', { identity })).toBe('["name=seccomp,profile=default"]\n');
    expect(normalize('[\n  "name=seccomp,profile=default",\n  "name=rootless"\n]\n', { identity })).toBe('[\n  "name=seccomp,profile=default"\n]\n');
  });
});

describe('subordinate ids', () => {
  it('a user’s range is found by name or uid, and a free range starts after every range handed out', () => {
    const text = 'alice:100000:65536\n1002:165536:65536\nbad line\n';
    expect(subordinateRange(text, 'alice', 1001)).toEqual({ start: 100000, count: 65536 });
    expect(subordinateRange(text, 'bob', 1002)).toEqual({ start: 165536, count: 65536 });
    expect(subordinateRange(text, 'carol', 1003)).toBeUndefined();
    expect(freeStart(text, '')).toBe(231072);
    expect(freeStart('', '')).toBe(100000);
  });

  it('names by id keep the first name of each id', () => {
    expect(namesById('root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\ntoor:x:0:0::/:/bin/sh\n')).toEqual({ '0': 'root', '65534': 'nobody' });
  });
});
