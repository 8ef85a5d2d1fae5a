// What runs of `lesson` leave on the machine, found from the outside: each run under test gets its own
// TMPDIR, so everything it creates is recognisable by that folder (in a process's arguments, environment
// or working directory, in a mount point, in the name of an engine's cgroup), and other people's runs on
// the same machine never count. A run puts its engine under /tmp when TMPDIR is too long for the
// engine's sockets: such an engine is known by descending from a process of the run, and followed by its
// folder from then on, so the census must see it while it is up (`watch`).

import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';

interface Seen {
  pid: number;
  ppid: number;
  args: string;
  environ: string;
  cwd: string;
  cgroup: string;
}

function processes(): Seen[] {
  const found: Seen[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // A zombie is dead already; only its parent's not reaping it keeps the entry.
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      found.push({
        pid: Number(name),
        ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]),
        args: readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim(),
        environ: readFileSync(`/proc/${name}/environ`, 'utf8'),
        cwd: readlinkSync(`/proc/${name}/cwd`),
        cgroup: readFileSync(`/proc/${name}/cgroup`, 'utf8'),
      });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

const cgroupRoot = '/sys/fs/cgroup';

export class Footprint {
  /** The TMPDIR of the runs under test: the run's folder (and, when TMPDIR is short, the engine's) is made in it. */
  readonly tmp: string;
  /** Folders of the engines seen so far: once gone, their cgroups and folders still name them. */
  private readonly engines = new Set<string>();

  /** `parent` and `prefix` make the TMPDIR; a long one sends the runs' engines to /tmp. */
  constructor(parent = '/tmp', prefix = 'lesson-rel-') {
    this.tmp = realpathSync(mkdtempSync(join(parent, prefix)));
  }

  get env(): Record<string, string> {
    return { TMPDIR: this.tmp };
  }

  /** Everything of the runs under test that is on the machine now, one line per thing; [] when nothing is. */
  now(): string[] {
    for (const name of this.entries()) if (this.isEngine(name)) this.engines.add(join(this.tmp, name));
    const all = processes();
    this.followEngines(all);
    const mentions = (text: string) => [...this.engines].some((engine) => text === engine || text.includes(`${engine}/`) || text.includes(`${engine} `));
    const inCgroup = (cgroup: string) =>
      [...this.engines].some((engine) => cgroup.includes(`/${basename(engine)}/`) || cgroup.includes(`/${basename(engine)}\n`));
    const left = all
      .filter((p) => this.isOurs(p) || mentions(p.args) || inCgroup(p.cgroup))
      .map((p) => `process ${p.pid}: ${p.args.slice(0, 120)}`);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((line) => line.split(' ')[4] ?? '');
    left.push(...mounts.filter((point) => point.startsWith(this.tmp) || mentions(point)).map((point) => `mount ${point}`));
    for (const hierarchy of ['', ...readdirSync(cgroupRoot)]) {
      for (const engine of this.engines) {
        const cgroup = join(cgroupRoot, hierarchy, basename(engine));
        if (existsSync(cgroup)) left.push(`cgroup ${cgroup}`);
      }
    }
    left.push(...this.entries().map((name) => `file ${join(this.tmp, name)}`));
    for (const engine of this.engines) if (!engine.startsWith(`${this.tmp}/`) && existsSync(engine)) left.push(`file ${engine}`);
    return left;
  }

  /**
   * Takes the census every `intervalMs` until the returned function is called, which gives every kind of
   * thing seen meanwhile (process ids dropped): what a run had up, to prove the census sees it.
   */
  watch(intervalMs = 100): () => string[] {
    const seen = new Set<string>();
    const take = () => {
      for (const line of this.now()) seen.add(line.replace(/^process \d+: /, 'process: '));
    };
    const timer = setInterval(take, intervalMs);
    return () => {
      clearInterval(timer);
      take();
      return [...seen];
    };
  }

  /** Names of the engines seen, for a test that wants to know one was there. */
  get engineCount(): number {
    return this.engines.size;
  }

  remove(): void {
    rmSync(this.tmp, { recursive: true, force: true });
  }

  private isOurs(p: Seen): boolean {
    return p.args.includes(this.tmp) || p.environ.includes(`TMPDIR=${this.tmp}\0`) || p.cwd.startsWith(this.tmp);
  }

  // A dockerd started by a process of ours is our engine, wherever its folder is.
  private followEngines(all: Seen[]): void {
    const byPid = new Map(all.map((p) => [p.pid, p]));
    const descendsFromOurs = (p: Seen): boolean => {
      for (let parent = byPid.get(p.ppid), hops = 0; parent && hops < 64; parent = byPid.get(parent.ppid), hops++) {
        if (this.isOurs(parent)) return true;
      }
      return false;
    };
    for (const p of all) {
      const root = / --data-root (\S+)\/data /.exec(`${p.args} `)?.[1];
      if (root && !this.engines.has(root) && descendsFromOurs(p)) this.engines.add(root);
    }
  }

  private entries(): string[] {
    try {
      return readdirSync(this.tmp);
    } catch {
      return [];
    }
  }

  private isEngine(name: string): boolean {
    return existsSync(join(this.tmp, name, 'daemon.json'));
  }
}
