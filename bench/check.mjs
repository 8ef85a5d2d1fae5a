// Benchmark 5: `lesson check` of 8 copies of the Layers lesson with --jobs 1 and --jobs 2.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, root, seconds, table, time } from './lib.mjs';

export function benchCheck(copies = 8) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-check-'));
  mkdirSync(join(dir, 'lessons'));
  mkdirSync(join(dir, 'snapshots'));
  for (let i = 1; i <= copies; i++) {
    copyFileSync(join(root, 'lessons/layers.md'), join(dir, 'lessons', `layers-${i}.md`));
    copyFileSync(join(root, 'snapshots/layers.yaml'), join(dir, 'snapshots', `layers-${i}.yaml`));
  }
  const wall = (jobs) => time(process.execPath, [cli, 'check', '--jobs', String(jobs)], { runs: 3, cwd: dir, env: { CI: 'true' } });
  const one = wall(1);
  const two = wall(2);
  rmSync(dir, { recursive: true, force: true });
  return table(['jobs', 'wall (median of 3)', 'lessons/s', 'speed-up'], [
    [1, seconds(one), (copies / one).toFixed(2), '1.00x'],
    [2, seconds(two), (copies / two).toFixed(2), `${(one / two).toFixed(2)}x`],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(benchCheck());
