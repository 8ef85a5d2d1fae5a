// One snapshot file, several machines. Some facts of a machine change what a lesson prints: the builder
// (BuildKit or the legacy one), the engine's major version (28's `image inspect` has no `Container`),
// later the image store, Compose's major version, the engine mode, the images' sources. A snapshot file
// holds its main variant at the top (`environment`, `steps`: the layout a file with one variant has
// always had) and, under `variants`, other variants, each with its environment and only the entries
// that differ from the main one. The judging code never sees this: it gets the plain entries of the
// variant that fits, and gives back plain entries, merged in here. Pure: no I/O.

import { isDeepStrictEqual } from 'node:util';
import type { Snapshot, SnapshotEntry, SnapshotVariant } from '../types.js';

/** The facts that decide which variant fits, by name: `{ builder: 'buildkit', engine: '20' }`. */
export type Facts = Record<string, string>;

/**
 * The facts an environment (what `Engine.describe()` says, as a snapshot records it) stands for. A
 * later fact (image store, Compose, engine mode) is one more line here, read from one more key of the
 * environment; files recorded before it simply do not name it, and fit whatever the machine says.
 */
export function factsOf(environment: Record<string, string>): Facts {
  const facts: Facts = {};
  // `legacy`, `buildkit (buildx v0.12.1)`, `buildkit (built into docker 20.10.24)`: the kind is what changes outputs.
  const builder = environment.builder?.split(' ')[0];
  if (builder) facts.builder = builder;
  const server = /^(\d+)\./.exec(environment['docker server'] ?? '')?.[1];
  if (server) facts.engine = server;
  // A lesson on the user's own engine (`--engine host`) meets what that engine already knows; files
  // recorded before this fact were recorded on private engines.
  if (server) facts.mode = environment['engine mode'] ?? 'private';
  // Compose 1.x and 2.x print other names and progress lines.
  const compose = /^v?(\d+)\./.exec(environment.compose ?? '')?.[1];
  if (compose) facts.compose = compose;
  return facts;
}

/** The facts two sets disagree on; a fact only one of them names does not count. */
export function differingFacts(recorded: Facts, machine: Facts): string[] {
  return Object.keys(recorded).filter((key) => key in machine && recorded[key] !== machine[key]);
}

export function describeFacts(facts: Facts): string {
  const names = Object.entries(facts).map(([key, value]) => `${key} ${value}`);
  return names.length > 0 ? names.join(', ') : 'no recorded facts';
}

/** Every variant of a file as a plain snapshot, the main one first. */
export function variantsOf(file: Snapshot): Snapshot[] {
  const main: Snapshot = { lesson: file.lesson, ...version(file.normalizers), environment: file.environment, steps: file.steps };
  return [
    main,
    ...(file.variants ?? []).map((variant) => ({ lesson: file.lesson, ...version(variant.normalizers), environment: variant.environment, steps: { ...file.steps, ...variant.steps } })),
  ];
}

function version(normalizers: number | undefined): { normalizers?: number } {
  return normalizers === undefined ? {} : { normalizers };
}

export type Selection = { snapshot: Snapshot } | { mismatch: string; nearest: Facts[] };

/** The variant of `file` that fits a machine with `facts`, as a plain snapshot; or why none does. */
export function selectVariant(file: Snapshot, facts: Facts): Selection {
  const variants = variantsOf(file);
  const fitting = variants.find((variant) => differingFacts(factsOf(variant.environment), facts).length === 0);
  if (fitting) return { snapshot: fitting };
  const recorded = variants.map((variant) => factsOf(variant.environment));
  const lines = recorded.map((each) => {
    const differ = differingFacts(each, facts).map((key) => `${key} ${each[key]} here ${facts[key]}`);
    return `${describeFacts(each)} (differs: ${differ.join(', ')})`;
  });
  return { mismatch: `no variant of this snapshot fits this machine (${describeFacts(facts)}); recorded: ${lines.join('; ')}`, nearest: recorded };
}

/**
 * The file once `written` (a plain snapshot, as the judging code gives it back) is recorded as the
 * variant its environment stands for. The other variants keep exactly the entries they had: one that
 * shared an entry the main variant now changes gets its own copy of the old one. The main variant stays
 * main; a new file's first variant becomes it.
 */
export function mergeVariant(file: Snapshot | undefined, written: Snapshot): Snapshot {
  if (!file) return { lesson: written.lesson, ...version(written.normalizers), environment: written.environment, steps: written.steps };
  const facts = factsOf(written.environment);
  const variants = variantsOf(file);
  const index = variants.findIndex((variant) => differingFacts(factsOf(variant.environment), facts).length === 0);
  if (index >= 0) variants[index] = written;
  else variants.push(written);
  const [main = written, ...others] = variants;
  const shared = (id: string, entry: SnapshotEntry) => main.steps[id] !== undefined && isDeepStrictEqual(main.steps[id], entry);
  const encoded: SnapshotVariant[] = others.map((variant) => ({
    ...version(variant.normalizers),
    environment: variant.environment,
    // A step the lesson no longer has (the written variant has no entry for it) goes from every variant.
    steps: Object.fromEntries(Object.entries(variant.steps).filter(([id, entry]) => id in written.steps && !shared(id, entry))),
  }));
  return {
    lesson: written.lesson,
    ...version(main.normalizers),
    environment: main.environment,
    steps: main.steps,
    ...(encoded.length > 0 && { variants: encoded }),
  };
}
