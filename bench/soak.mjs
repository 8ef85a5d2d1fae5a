// `npm run soak`: runs the Layers lesson back to back, then `check --jobs 2` on the lessons, round after
// round, and prints after each round what the runs left on the machine and what they used: processes,
// mounts, cgroups and network namespaces of the runs, files under their temp folder, the cache folder's
// size and the CLI's peak memory. Exits 1 if any of them grows across rounds.
// `npm run soak -- --runs 5 --rounds 2` for a shorter one.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/cli/bin.cjs');
const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const layersRuns = option('runs', 50);
const checkRounds = option('rounds', 10);

// The runs' own TMPDIR, short enough that their engines live in it: what they leave is told apart from
// other runs on the machine.
const tmp = realpathSync(mkdtempSync('/tmp/lesson-soak-'));
const peakFile = join(tmp, '..', `${basename(tmp)}.peak`);
const preload = join(tmp, '..', `${basename(tmp)}.preload.cjs`);
// The CLI's peak resident memory, written as it exits.
writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(peakFile)}, String(process.resourceUsage().maxRSS)));\n`);
const engines = new Set();
// A cache of its own: other runs on the machine write theirs (the CLI's code cache of another build) too.
const cache = mkdtempSync('/tmp/lesson-soak-cache-');

function processes() {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      found.push({
        args: readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' '),
        environ: readFileSync(`/proc/${name}/environ`, 'utf8'),
        cgroup: readFileSync(`/proc/${name}/cgroup`, 'utf8'),
        netns: readlinkSync(`/proc/${name}/ns/net`),
      });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

function filesUnder(dir) {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    count++;
    if (entry.isDirectory()) count += filesUnder(join(dir, entry.name));
  }
  return count;
}

function sizeOf(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

/** What the runs have on the machine now. */
function census() {
  for (const name of readdirSync(tmp)) if (existsSync(join(tmp, name, 'daemon.json'))) engines.add(name);
  const ours = processes().filter(
    (p) => p.args.includes(tmp) || p.environ.includes(tmp) || [...engines].some((e) => p.cgroup.includes(`/${e}/`) || p.cgroup.includes(`/${e}\n`)),
  );
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((line) => (line.split(' ')[4] ?? '').startsWith(tmp));
  const cgroups = readdirSync('/sys/fs/cgroup').flatMap((h) => [...engines].filter((e) => existsSync(join('/sys/fs/cgroup', h, e))));
  const netns = new Set([...ours.map((p) => p.netns), ...mounts.filter((line) => line.includes(' - nsfs '))]);
  return { processes: ours.length, mounts: mounts.length, cgroups: cgroups.length, netns: netns.size, files: filesUnder(tmp), cacheFiles: filesUnder(cache), cacheBytes: sizeOf(cache) };
}

let running;
// Ctrl-C ends the soak as it ends a run: the run under way is interrupted, then the folders go.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    running?.kill(signal);
    stop = true;
  });
}
let stop = false;

/** Runs the CLI to its end; its engine folders are noted while it runs, so their cgroups are counted once they are gone. */
function lesson(args) {
  return new Promise((resolve, reject) => {
    rmSync(peakFile, { force: true });
    const child = (running = spawn('node', ['-r', preload, cli, ...args], { cwd: root, env: { ...process.env, TMPDIR: tmp, XDG_CACHE_HOME: cache, CI: 'true', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }));
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const watch = setInterval(() => {
      for (const name of readdirSync(tmp)) if (existsSync(join(tmp, name, 'daemon.json'))) engines.add(name);
    }, 100);
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(watch);
      if (status !== 0) reject(new Error(`lesson ${args.join(' ')} exited ${status}:\n${output}`));
      else resolve({ peakKiB: Number(readFileSync(peakFile, 'utf8')) });
    });
  });
}

const figures = ['processes', 'mounts', 'cgroups', 'netns', 'files', 'cacheFiles', 'cacheBytes', 'peakKiB'];
const rows = [];
function print(round, row) {
  rows.push(row);
  console.log(`| ${round} | ${figures.map((f) => row[f]).join(' | ')} |`);
}

console.log(`| round | ${figures.join(' | ')} |\n| --- | ${figures.map(() => '---').join(' | ')} |`);
try {
  for (let run = 1; run <= layersRuns && !stop; run++) {
    const { peakKiB } = await lesson(['layers']);
    print(`layers ${run}`, { ...census(), peakKiB });
  }
  for (let round = 1; round <= checkRounds && !stop; round++) {
    const { peakKiB } = await lesson(['check', '--jobs', '2']);
    print(`check ${round}`, { ...census(), peakKiB });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
  rmSync(peakFile, { force: true });
  rmSync(preload, { force: true });
}

// What a run leaves must be nothing after every round. The cache fills on a command's first round (the
// base image, the CLI's code cache for that command) and then keeps its files, its size within the
// jitter of a rewritten code cache. Memory may wander, but not climb by a quarter from the first rounds
// to the last.
const grew = [];
for (const figure of ['processes', 'mounts', 'cgroups', 'netns', 'files']) {
  if (rows.some((row) => row[figure] > 0)) grew.push(`${figure} left after a run: ${rows.map((row) => row[figure]).join(' ')}`);
}
for (const kind of ['layers', 'check']) {
  const mine = rows.filter((_, i) => (kind === 'layers' ? i < layersRuns : i >= layersRuns));
  const [first, last] = [mine[0], mine.at(-1)];
  if (first && last && last.cacheFiles > first.cacheFiles) grew.push(`the cache went from ${first.cacheFiles} to ${last.cacheFiles} files over the ${kind} rounds`);
  if (first && last && last.cacheBytes > first.cacheBytes * 1.01) grew.push(`the cache grew from ${first.cacheBytes} to ${last.cacheBytes} bytes over the ${kind} rounds`);
  const peaks = mine.map((row) => row.peakKiB);
  if (peaks.length >= 4) {
    const half = Math.floor(peaks.length / 2);
    const mean = (list) => list.reduce((a, b) => a + b, 0) / list.length;
    if (mean(peaks.slice(half)) > 1.25 * mean(peaks.slice(0, half))) grew.push(`the CLI's peak memory on ${kind} climbed: ${peaks.join(' ')} KiB`);
  }
}
if (grew.length > 0) {
  console.log(`\ngrew across rounds:\n${grew.map((line) => `- ${line}`).join('\n')}`);
  process.exitCode = 1;
} else {
  console.log('\nnothing grew across rounds');
}
