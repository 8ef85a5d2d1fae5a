// A private engine's start, as root and rootless, side by side: a one-step page that needs Docker, run
// by root and by a user of the benchmark's own in turn; each run prints its engine start and base image
// load, and its wall time holds the teardown too.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchEnv, cli, median, root, seconds, table } from './lib.mjs';
import { rootlessUnavailable, withRootlessUser } from './rootless-user.mjs';

const value = (text) => (text.endsWith('ms') ? parseFloat(text) / 1000 : parseFloat(text));

function run(command, args, env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: root, env, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  const phase = (name) => value(new RegExp(`${name} (\\S+)`).exec(result.stdout)?.[1] ?? 'NaN');
  return { wall, engine: phase('engine start'), base: phase('base image') };
}

export function benchEngineStart(runs = 10) {
  const unavailable = rootlessUnavailable();
  if (unavailable) return `not measured: ${unavailable}`;
  return withRootlessUser((user) => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-engine-'));
    try {
      chmodSync(dir, 0o755);
      const page = join(dir, 'engine.md');
      writeFileSync(page, '---\nrequires: [docker]\n---\n# Engine\n\n```console\n$ true\n```\n');
      chmodSync(page, 0o644);
      const snapshots = { root: mkdtempSync(join(dir, 'root-')), user: mkdtempSync(join(dir, 'user-')) };
      chownSync(snapshots.user, Number(spawnSync('id', ['-u', user.name], { encoding: 'utf8' }).stdout), 0);
      const args = (who) => [cli, 'run', page, '-u', '--snapshots', snapshots[who]];
      const asUser = () => {
        const [command, argv] = user.argv(process.execPath, args('user'));
        return run(command, argv, { ...user.env, CI: '' });
      };
      const asRoot = () => run(process.execPath, args('root'), benchEnv({ CI: '' }));
      asRoot();
      asUser(); // each warms its own base image cache
      const measured = { root: [], rootless: [] };
      for (let i = 0; i < runs; i++) {
        measured.root.push(asRoot());
        measured.rootless.push(asUser());
      }
      const spread = (list, key) => {
        const values = list.map((r) => r[key]);
        return `${seconds(median(values))} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`;
      };
      const rows = Object.entries(measured).map(([mode, list]) => [mode, spread(list, 'engine'), spread(list, 'base'), spread(list, 'wall')]);
      const ratio = (key) => (median(measured.rootless.map((r) => r[key])) / median(measured.root.map((r) => r[key]))).toFixed(2);
      return `${table(['engine', 'engine start', 'base image', 'wall (with teardown)'], rows)}
rootless / root: engine start ${ratio('engine')}x, wall ${ratio('wall')}x (median of ${runs}, interleaved)`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(benchEngineStart(Number(process.argv[2]) || undefined));
