// Benchmark 6: `lesson run layers --watch`, from a save of the page to the first step of the re-run, on a
// copy of the Layers lesson. Measured with the author's pause (the next engine has had time to start)
// and without it (a save right as the last run ends), against the cold start of the first run.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchEnv, cli, median, ms, root, table } from './lib.mjs';

const firstStep = /^ {2}[✓✗+u] .*:\d+ {2}write /m;
const summary = /^(\d+) passed, (\d+) failed/m;

function startWatch(page, dir) {
  const child = spawn(process.execPath, [cli, 'run', page, '--snapshots', dir, '--watch'], {
    cwd: root,
    env: benchEnv({ CI: '' }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let waiting;
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    output += chunk;
    waiting?.();
  });
  child.on('exit', () => waiting?.());
  return {
    child,
    /** Resolves with the text printed since `from` once it matches `pattern`. */
    async until(pattern, from) {
      for (;;) {
        const text = output.slice(from);
        if (pattern.test(text)) return text;
        if (child.exitCode !== null) throw new Error(`lesson --watch exited:\n${output}`);
        await new Promise((resolve) => (waiting = resolve));
      }
    },
    length: () => output.length,
  };
}

/** Wall seconds from now until the re-run's first step is reported, and that run's text. */
async function rerun(watch, page, edit) {
  const from = watch.length();
  const saved = process.hrtime.bigint();
  // Saved as editors do: a whole new file renamed over the old one.
  writeFileSync(`${page}.tmp`, `${readFileSync(page, 'utf8')}\n<!-- edit ${edit} -->\n`);
  renameSync(`${page}.tmp`, page);
  await watch.until(firstStep, from);
  const seconds = Number(process.hrtime.bigint() - saved) / 1e9;
  const text = await watch.until(/^watching /m, from);
  return { seconds, text };
}

const engineWait = (text) => {
  const value = /engine ready (\S+)/.exec(text)?.[1] ?? '0ms';
  return value.endsWith('ms') ? parseFloat(value) / 1000 : parseFloat(value);
};
const verdict = (text) => {
  const [, passed, failed] = summary.exec(text) ?? [];
  return `${passed} passed, ${failed} failed`;
};

export async function benchWatch(runs = 5, pauseMs = 3000) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-watch-'));
  const page = join(dir, 'layers.md');
  copyFileSync(join(root, 'lessons/layers.md'), page);
  copyFileSync(join(root, 'snapshots/layers.yaml'), join(dir, 'layers.yaml'));

  const started = process.hrtime.bigint();
  const watch = startWatch(page, dir);
  await watch.until(firstStep, 0);
  const cold = Number(process.hrtime.bigint() - started) / 1e9;
  const first = await watch.until(/^watching /m, 0);

  const paused = [];
  const hurried = [];
  try {
    for (let i = 0; i < runs; i++) {
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      paused.push(await rerun(watch, page, `paused ${i}`));
    }
    for (let i = 0; i < runs; i++) hurried.push(await rerun(watch, page, `hurried ${i}`));
  } finally {
    watch.child.kill('SIGINT');
    if (watch.child.exitCode === null) await new Promise((resolve) => watch.child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
  const row = (name, results) => [
    name,
    ms(median(results.map((r) => r.seconds))),
    ms(Math.max(...results.map((r) => r.seconds))),
    ms(median(results.map((r) => engineWait(r.text)))),
    [...new Set(results.map((r) => verdict(r.text)))].join(' / '),
  ];
  return table(['start of', `save → first step (median of ${runs})`, 'slowest', 'waiting for the engine', 'result'], [
    ['first run (process start, cold engine)', ms(cold), '', ms(engineWait(first)), verdict(first)],
    row(`re-run after a ${pauseMs / 1000} s pause`, paused),
    row('re-run saved as the last run ends', hurried),
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchWatch());
