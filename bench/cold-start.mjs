// Benchmark 2: whole-process start-up of the commands a person types most.
import { cli, ms, table, time } from './lib.mjs';

export function benchColdStart() {
  const node = time(process.execPath, ['-e', '0'], { runs: 11 });
  const version = time(process.execPath, [cli, '--version'], { runs: 11 });
  const plan = time(process.execPath, [cli, 'plan', 'layers'], { runs: 11 });
  return table(['command', 'wall (median of 11)'], [
    ['node -e 0 (the floor)', ms(node)],
    ['lesson --version', ms(version)],
    ['lesson plan layers', ms(plan)],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(benchColdStart());
