// What runs of `lesson` leave on the machine, found from the outside: each run under test gets its own
// TMPDIR, so everything it creates is recognisable by that folder (in a process's arguments, environment
// or working directory, in a mount point, in the name of an engine's cgroup), and other people's runs on
// the same machine never count.

import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';

interface Seen {
  pid: number;
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
  /** The TMPDIR of the runs under test: the run's folder and the engine's folder are made in it. */
  readonly tmp = realpathSync(mkdtempSync('/tmp/lesson-rel-'));
  /** Engine folders seen so far: once gone, their cgroups still name them. */
  private readonly engines = new Set<string>();

  get env(): Record<string, string> {
    return { TMPDIR: this.tmp };
  }

  /** Everything of the runs under test that is on the machine now, one line per thing; [] when nothing is. */
  now(): string[] {
    for (const name of this.entries()) if (this.isEngine(name)) this.engines.add(name);
    const inCgroup = (cgroup: string) => [...this.engines].some((engine) => cgroup.includes(`/${engine}/`) || cgroup.includes(`/${engine}\n`));
    const left = processes()
      .filter((p) => p.args.includes(this.tmp) || p.environ.includes(`TMPDIR=${this.tmp}\0`) || p.cwd.startsWith(this.tmp) || inCgroup(p.cgroup))
      .map((p) => `process ${p.pid}: ${p.args.slice(0, 120)}`);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((line) => line.split(' ')[4] ?? '');
    left.push(...mounts.filter((point) => point.startsWith(this.tmp)).map((point) => `mount ${point}`));
    for (const hierarchy of ['', ...readdirSync(cgroupRoot)]) {
      for (const engine of this.engines) {
        if (existsSync(join(cgroupRoot, hierarchy, engine))) left.push(`cgroup ${join(cgroupRoot, hierarchy, engine)}`);
      }
    }
    left.push(...this.entries().map((name) => `file ${join(this.tmp, name)}`));
    return left;
  }

  /** Names of the engines seen, for a test that wants to know one was there. */
  get engineCount(): number {
    return this.engines.size;
  }

  remove(): void {
    rmSync(this.tmp, { recursive: true, force: true });
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

