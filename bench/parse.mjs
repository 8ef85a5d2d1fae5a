// Benchmark 3: `lesson plan` over a generated corpus of 2,000 tutorial pages (~20 MB).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCorpus } from './corpus.mjs';
import { cli, seconds, table, time } from './lib.mjs';

export function benchParse() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-corpus-'));
  const paths = writeCorpus(dir);
  const bytes = paths.reduce((sum, path) => sum + statSync(path).size, 0);
  const wall = time(process.execPath, [cli, 'plan', '--json', ...paths], { runs: 3 });
  rmSync(dir, { recursive: true, force: true });
  return table(['pages', 'MB', 'wall (median of 3)', 'pages/s', 'MB/s'], [
    [paths.length, (bytes / 1e6).toFixed(1), seconds(wall), Math.round(paths.length / wall), (bytes / 1e6 / wall).toFixed(1)],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(benchParse());
