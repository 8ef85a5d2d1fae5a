// The code is a map of the pipeline (docs/architecture.md): each stage imports only the stages below
// it, the pure ones touch no process, file or network, and no module imports itself back through others.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { root } from '../helpers.js';

const src = join(root, 'src');
/**
 * Lowest first: a module may import its own stage's modules and those of the stages before it.
 * normalize needs nothing else, and parse checks the normalizer names a front matter turns off.
 */
const stages = ['normalize', 'parse', 'plan', 'judge', 'lint', 'fix', 'run', 'snapshot', 'report', 'pipeline', 'cli'];
const pure = new Set(['parse', 'plan', 'normalize', 'judge', 'lint', 'fix']);
/** Leaf modules every stage shares: plain data, errors, durations. */
const shared = new Set(['types.ts', 'errors.ts', 'duration.ts']);

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? modules(join(dir, entry.name)) : /\.c?ts$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

/** Every module a module imports, statically or on demand, types included; `node:` and packages by name. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1] as string);
  return specifiers.map((specifier) =>
    specifier.startsWith('.') ? relative(src, resolve(dirname(file), specifier)).replace(/\.c?js$/, '.ts') : specifier,
  );
}

const graph = new Map(modules(src).map((file) => [relative(src, file).replace(/\.cts$/, '.cts'), importsOf(file)]));
const stageOf = (module: string) => module.split('/')[0] as string;

describe('architecture', () => {
  test('the graph is read: every stage has modules, and local imports resolve to modules', () => {
    for (const stage of stages) expect([...graph.keys()].some((module) => stageOf(module) === stage), stage).toBe(true);
    const local = [...graph.values()].flat().filter((target) => !target.startsWith('node:') && /\.ts$/.test(target));
    expect(local.length).toBeGreaterThan(200);
    for (const target of local) expect(graph.has(target) || graph.has(target.replace(/\.ts$/, '.cts')), target).toBe(true);
  });

  test('each stage imports only its own modules, the shared ones and the stages before it', () => {
    const upward: string[] = [];
    for (const [module, targets] of graph) {
      const from = stages.indexOf(stageOf(module));
      for (const target of targets.filter((t) => t.endsWith('.ts') && !shared.has(t))) {
        const to = stages.indexOf(stageOf(target));
        if (from < 0 || to > from) upward.push(`${module} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  test('the pure stages start no process and touch no file or network', () => {
    const io = /^(node:(child_process|fs|fs\/promises|net|http|https|os)|execa|node-pty)$/;
    const found = [...graph].filter(([module]) => pure.has(stageOf(module))).flatMap(([module, targets]) => targets.filter((t) => io.test(t)).map((t) => `${module} → ${t}`));
    expect(found).toEqual([]);
  });

  test('no import circle', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (module: string, path: string[]) => {
      if (state.get(module) === 'done') return;
      if (state.get(module) === 'open') {
        circles.push([...path.slice(path.indexOf(module)), module].join(' → '));
        return;
      }
      state.set(module, 'open');
      for (const target of graph.get(module) ?? []) if (graph.has(target)) visit(target, [...path, module]);
      state.set(module, 'done');
    };
    for (const module of graph.keys()) visit(module, []);
    expect(circles).toEqual([]);
  });
});
