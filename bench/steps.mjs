// Benchmark 1: per-step overhead against one plain bash script and the peers that are installed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, ms, seconds, table, time, which } from './lib.mjs';
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
  const rows = [];
  const missing = Object.keys(runners).filter((name) => !which(runners[name].program));
  for (const n of sizes) {
    const results = {};
    for (const [name, runner] of Object.entries(runners)) {
      if (missing.includes(name)) continue;
      const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
      const workload = workloads[runner.workload ?? name];
      const file = join(dir, workload.file);
      // Each tool must catch a changed expected line before its time means anything.
      writeFileSync(file, workload.write(n, true));
      time(runner.program, runner.args(file), { runs: 1, env: runner.env, expectExit: 'failure', cwd: dir });
      writeFileSync(file, workload.write(n, false));
      results[name] = time(runner.program, runner.args(file), { runs: slow.has(name) ? 3 : 7, env: runner.env, cwd: dir });
      rmSync(dir, { recursive: true, force: true });
    }
    for (const [name, wall] of Object.entries(results)) {
      rows.push([n, name, seconds(wall), ms(wall / n), `${(wall / results.bash).toFixed(1)}x`, results.cram ? `${(wall / results.cram).toFixed(2)}x` : '-']);
    }
  }
  return { rows: table(['steps', 'runner', 'wall (median)', 'per step', 'vs bash', 'vs cram'], rows), missing };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, missing } = benchSteps();
  console.log(rows);
  if (missing.length) console.log(`not installed: ${missing.join(', ')}`);
}
