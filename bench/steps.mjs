// Benchmark 1: per-step overhead against one plain bash script and the peers that are installed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, seconds, table, time, which } from './lib.mjs';
import { workloads } from './workloads.mjs';

const floor = fileURLToPath(new URL('floor.mjs', import.meta.url));
const runners = {
  lesson: { program: process.execPath, args: (f) => [cli, 'run', f, '--snapshots', `${f}.snapshots`], env: { CI: 'true' } },
  // Not a peer: the floor of any Node runner on this workload (bench/floor.mjs), on the lesson's page.
  'node floor': { program: process.execPath, args: (f) => [floor, f], workload: 'lesson' },
  bash: { program: 'bash', args: (f) => [f] },
  cram: { program: 'cram3', args: (f) => ['-q', f] },
  clitest: { program: 'clitest', args: (f) => ['-q', f] },
  shelltest: { program: 'shelltest', args: (f) => [f] },
  txm: { program: 'txm', args: (f) => [f] },
};
const slow = new Set(['clitest', 'shelltest', 'txm']);

export function benchSteps(sizes = [300, 1000]) {
  const missing = Object.keys(runners).filter((name) => !which(runners[name].program));
  const walls = Object.fromEntries(sizes.map((n) => [n, {}]));
  for (const n of sizes) {
    for (const [name, runner] of Object.entries(runners)) {
      if (missing.includes(name)) continue;
      const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
      const workload = workloads[runner.workload ?? name];
      const file = join(dir, workload.file);
      // Each tool must catch a changed expected line before its time means anything.
      writeFileSync(file, workload.write(n, true));
      time(runner.program, runner.args(file), { runs: 1, env: runner.env, expectExit: 'failure', cwd: dir });
      writeFileSync(file, workload.write(n, false));
      walls[n][name] = time(runner.program, runner.args(file), { runs: slow.has(name) ? 3 : 7, env: runner.env, cwd: dir });
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // The marginal cost of a step: what the larger lesson costs more, per step it has more; start-up cancels out.
  const [small, large] = [sizes[0], sizes.at(-1)];
  const perStep = (seconds) => `${(seconds * 1000).toFixed(3)} ms`;
  const ratio = (a, b) => (b ? `${(a / b).toFixed(2)}x` : '-');
  const rows = Object.keys(walls[large]).map((name) => {
    const [a, b] = [walls[small][name], walls[large][name]];
    return [name, seconds(a), seconds(b), perStep(b / large), perStep((b - a) / (large - small)), ratio(b, walls[large].bash), ratio(a, walls[small].cram), ratio(b, walls[large].cram)];
  });
  const headers = ['runner', `wall, ${small} steps`, `wall, ${large} steps`, `wall / ${large}`, `per step more (${small}→${large})`, `vs bash (${large})`, `vs cram (${small})`, `vs cram (${large})`];
  return { rows: table(headers, rows), missing };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, missing } = benchSteps();
  console.log(rows);
  if (missing.length) console.log(`not installed: ${missing.join(', ')}`);
}
