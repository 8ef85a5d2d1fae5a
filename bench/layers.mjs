// Benchmark 4: `lesson layers` against the same docker commands in a plain bash script, on the same
// kind of private engine, and with its sandbox against without, run by root and by a user without root
// (a rootless engine); each split into engine start, base image load and steps. Runs are interleaved,
// so that what else the machine does weighs on every row alike.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { benchEnv, cli, median, root, seconds, table } from './lib.mjs';
import { rootlessUnavailable, withRootlessUser } from './rootless-user.mjs';

function run(command, args, env = {}, { clean = false } = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: root, env: clean ? env : benchEnv(env), encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  return { wall, stdout: result.stdout, stderr: result.stderr };
}

/** Phases from `lesson`'s own lines: `engine start 287ms`, `base image 240ms`, and each step's duration. */
function lessonPhases(stdout) {
  const value = (text) => (text.endsWith('ms') ? parseFloat(text) / 1000 : parseFloat(text));
  const phase = (name) => value(new RegExp(`${name} (\\S+)`).exec(stdout)?.[1] ?? '0');
  const steps = [...stdout.matchAll(/^ {2}[✓✗+u] .* (\d+(?:\.\d+)?m?s)$/gm)].reduce((sum, m) => sum + value(m[1]), 0);
  return { engine: phase('engine start'), base: phase('base image'), steps };
}

export function benchLayers(runs = 5) {
  const unavailable = rootlessUnavailable();
  return unavailable ? measure(runs, undefined, unavailable) : withRootlessUser((user) => measure(runs, user));
}

function measure(runs, user, unavailable) {
  const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lesson');
  run(process.execPath, [cli, 'layers'], { CI: 'true' }); // warms the base image cache
  const baseTar = join(cacheDir, readdirSync(cacheDir).find((f) => f.startsWith('alpine-standin-')));
  const asUser = (args) => {
    const [command, argv] = user.argv(process.execPath, [cli, ...args]);
    return run(command, argv, { ...user.env, CI: 'true' }, { clean: true });
  };
  if (user) asUser(['layers']); // warms the user's own base image cache
  const lesson = [];
  const unsandboxed = [];
  const rootless = [];
  const rootlessUnsandboxed = [];
  const plain = [];
  for (let i = 0; i < runs; i++) {
    const l = run(process.execPath, [cli, 'layers'], { CI: 'true' });
    lesson.push({ wall: l.wall, ...lessonPhases(l.stdout) });
    const u = run(process.execPath, [cli, 'layers', '--no-sandbox'], { CI: 'true' });
    unsandboxed.push({ wall: u.wall, ...lessonPhases(u.stdout) });
    if (user) {
      const r = asUser(['layers']);
      rootless.push({ wall: r.wall, ...lessonPhases(r.stdout) });
      const ru = asUser(['layers', '--no-sandbox']);
      rootlessUnsandboxed.push({ wall: ru.wall, ...lessonPhases(ru.stdout) });
    }
    const p = run('bash', [join(root, 'bench/layers-plain.sh'), baseTar]);
    const [, engine, base, steps] = /engine (\S+) base (\S+) steps (\S+)/.exec(p.stderr).map(Number);
    plain.push({ wall: p.wall, engine, base, steps });
  }
  const row = (name, list) => [name, ...['wall', 'engine', 'base', 'steps'].map((k) => seconds(median(list.map((r) => r[k]))))];
  const of = (list, key) => median(list.map((r) => r[key]));
  const rows = [row('lesson layers', lesson), row('lesson layers --no-sandbox', unsandboxed)];
  if (user) rows.push(row('lesson layers, rootless', rootless), row('lesson layers --no-sandbox, rootless', rootlessUnsandboxed));
  rows.push(row('plain bash script', plain));
  const ratios = [
    `lesson / plain: ${(of(lesson, 'wall') / of(plain, 'wall')).toFixed(2)}x`,
    `sandboxed / not: ${(of(lesson, 'wall') / of(unsandboxed, 'wall')).toFixed(3)}x`,
    ...(user
      ? [
          `rootless sandboxed / not: ${(of(rootless, 'wall') / of(rootlessUnsandboxed, 'wall')).toFixed(3)}x`,
          `rootless / root engine start: ${(of(rootless, 'engine') / of(lesson, 'engine')).toFixed(2)}x`,
          `rootless / root wall: ${(of(rootless, 'wall') / of(lesson, 'wall')).toFixed(2)}x`,
        ]
      : [`rootless not measured: ${unavailable}`]),
  ];
  return `${table(['runner', 'wall', 'engine start', 'base image', 'steps'], rows)}
${ratios.join('; ')} (median of ${runs})`;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(benchLayers(Number(process.argv[2]) || undefined));
