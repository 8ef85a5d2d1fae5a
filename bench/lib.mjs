// Shared by the benchmarks: run a whole command several times and keep the median wall time.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const cli = fileURLToPath(new URL('../dist/cli/bin.cjs', import.meta.url));

/**
 * Every run's environment. NODE_EXTRA_CA_CERTS goes: set on some machines (this one) for a proxy, it makes
 * every Node start parse a CA bundle, 50 ms here, whatever the program; the cold-start table shows it.
 */
export const benchEnv = (env = {}) => {
  const { NODE_EXTRA_CA_CERTS, ...rest } = process.env;
  return { ...rest, NO_COLOR: '1', ...env };
};

/** Median wall time in seconds of `runs` runs of a command; fails loudly if a run's exit is not `expectExit` ('failure': any non-zero). */
export function time(command, args, { runs = 7, cwd = root, env = {}, expectExit = 0, input } = {}) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd, env: benchEnv(env), input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ok = expectExit === 'failure' ? result.status !== 0 && result.status !== null : result.status === expectExit;
    if (!ok) {
      throw new Error(`${command} ${args.join(' ')} exited ${result.status}, expected ${expectExit}\n${String(result.stdout).slice(-2000)}${String(result.stderr).slice(-2000)}`);
    }
    times.push(seconds);
  }
  return median(times);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The path of a program, or undefined when it is not installed. */
export function which(program) {
  const found = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

export function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

export const seconds = (s) => `${s.toFixed(3)} s`;
export const ms = (s) => `${(s * 1000).toFixed(1)} ms`;

export function machine() {
  const cpu = execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], { encoding: 'utf8' }).trim();
  return `${cpu}, ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores, node ${process.version}`;
}
