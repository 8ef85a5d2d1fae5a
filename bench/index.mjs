// `npm run bench`: every benchmark, printed as Markdown tables (docs/performance.md keeps the last run).
// `npm run bench -- steps parse` runs only those.
import { benchCheck } from './check.mjs';
import { benchColdStart } from './cold-start.mjs';
import { benchEngineStart } from './engine-start.mjs';
import { benchInterrupt } from './interrupt.mjs';
import { benchLayers } from './layers.mjs';
import { machine } from './lib.mjs';
import { benchParse } from './parse.mjs';
import { benchPull } from './pull.mjs';
import { benchSteps } from './steps.mjs';
import { benchWatch } from './watch.mjs';

const benchmarks = {
  steps: ['Per-step overhead', () => {
    const { rows, missing } = benchSteps();
    return rows + (missing.length ? `\nnot installed, so not measured: ${missing.join(', ')}` : '\nall peers installed');
  }],
  'cold-start': ['Cold start', benchColdStart],
  parse: ['Parse throughput', benchParse],
  layers: ['The Layers lesson', () => benchLayers()],
  'engine-start': ['Engine start, root and rootless', () => benchEngineStart()],
  check: ['Many lessons', () => benchCheck()],
  watch: ['The edit–run loop (--watch)', () => benchWatch()],
  interrupt: ['Ctrl-C during a step', () => benchInterrupt()],
  pull: ['Pulling an image through the cache', () => benchPull()],
};

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(benchmarks);
console.log(`Machine: ${machine()}; ${new Date().toISOString().slice(0, 10)}\n`);
for (const name of chosen) {
  const entry = benchmarks[name];
  if (!entry) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(benchmarks).join(', ')}`);
  console.log(`## ${entry[0]}\n\n${await entry[1]()}\n`);
}
