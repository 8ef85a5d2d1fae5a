// Ctrl-C while a step runs: how long the CLI takes to return after SIGINT, and what of its run is still
// on the machine the moment it returns (processes, shims included, in the run's folders or the engine's
// cgroup; mounts; folders). The target: under a second, nothing left.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchEnv, cli, median, ms, root, table } from './lib.mjs';

const pages = {
  'docker build': ['```Dockerfile {file=Dockerfile}', 'FROM alpine', 'RUN sleep 1000', '```', '', '```console', '$ docker build -q -t slow .', '```'],
  'docker run -it': ['```console', '$ docker run -it alpine', '/ # sleep 1000', '```'],
  'plain command': ['```console', '$ docker run -d alpine sleep 1001', '$ sleep 1000', '```'],
};

/** The parent of each live process, to find a run's descendants. */
function parents() {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited while we looked
    }
  }
  return parent;
}

function descends(pid, ancestor, parent) {
  for (let at = pid; at > 1; at = parent.get(at) ?? 0) if (at === ancestor) return true;
  return false;
}

/**
 * The run's processes, mounts and files, found by its TMPDIR (short: the engine lives in it), its engines'
 * cgroups and descent from the CLI (the sandboxed shell has a TMPDIR of its own).
 */
function left(tmp, cliPid = 0) {
  const parent = parents();
  const engines = readdirSync(tmp).filter((name) => existsSync(join(tmp, name, 'daemon.json')));
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const environ = readFileSync(`/proc/${name}/environ`, 'utf8');
      const cgroup = readFileSync(`/proc/${name}/cgroup`, 'utf8');
      if (args.includes(tmp) || (cliPid > 0 && descends(Number(name), cliPid, parent)) || environ.includes(tmp) || engines.some((e) => cgroup.includes(`/${e}/`) || cgroup.includes(`/${e}\n`))) found.push(`process ${args}`);
    } catch {
      // exited while we looked
    }
  }
  found.push(...readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((line) => (line.split(' ')[4] ?? '').startsWith(tmp)));
  found.push(...readdirSync(tmp));
  return { found, engines };
}

async function once(steps) {
  const tmp = realpathSync(mkdtempSync('/tmp/lesson-int-'));
  const dir = mkdtempSync('/tmp/lesson-int-page-');
  const page = join(dir, 'hang.md');
  writeFileSync(page, ['---', 'requires: [docker]', '---', '# Hang', '', ...steps, ''].join('\n'));
  try {
    const child = spawn('node', [cli, 'run', page, '--snapshots', dir], { cwd: root, env: benchEnv({ TMPDIR: tmp, CI: '' }), stdio: 'ignore' });
    const closed = new Promise((resolve) => child.on('close', resolve));
    // Interrupted once the step hangs: its `sleep 1000` runs in the engine's cgroup or the lesson's shell.
    for (;;) {
      if (child.exitCode !== null) throw new Error('lesson exited before its step hung');
      if (left(tmp, child.pid).found.some((line) => line === 'process sleep 1000 ')) break;
      await new Promise((wait) => setTimeout(wait, 20));
    }
    const sent = performance.now();
    child.kill('SIGINT');
    const status = await closed;
    const elapsed = (performance.now() - sent) / 1000;
    return { elapsed, status, left: left(tmp).found.length };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchInterrupt(tries = Number(process.env.INTERRUPT_TRIES ?? 5)) {
  const rows = [];
  for (const [name, steps] of Object.entries(pages)) {
    const runs = [];
    for (let i = 0; i < tries; i++) runs.push(await once(steps));
    const times = runs.map((run) => run.elapsed);
    rows.push([
      name,
      ms(median(times)),
      ms(Math.max(...times)),
      String(runs.filter((run) => run.status !== 130).length),
      String(runs.reduce((sum, run) => sum + run.left, 0)),
    ]);
  }
  return table(['Ctrl-C during', `SIGINT → CLI returned (median of ${tries})`, 'slowest', 'exits ≠ 130', 'things left at return'], rows);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchInterrupt());
