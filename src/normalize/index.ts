// Normalizing turns the outputs of one lesson run into text that is the same on every run and every
// machine, so it can be compared with a snapshot: volatile values (IDs, times, names, temp paths)
// become numbered placeholders and presentation noise (colours, redraws, padding) goes.

import type { NormalizeSettings } from '../types.js';
import { replaceAddresses } from './addresses.js';
import { normalizeCompose } from './compose.js';
import { normalizeBuildKit } from './buildkit.js';
import { replaceIds } from './ids.js';
import { replaceKernel } from './kernel.js';
import { replaceNames } from './names.js';
import { replacePaths } from './paths.js';
import { normalizeRootless, type RunIdentity } from './rootless.js';
import { collapsePulls } from './pulls.js';
import { customRules } from './rules.js';
import { collapseColumns } from './tables.js';
import { cleanTerminal } from './terminal.js';
import { replaceTimes } from './times.js';
import { unchanged, type Transform } from './transform.js';

export interface NormalizeContext {
  settings: NormalizeSettings;
  /** Exact strings to replace wherever they appear, e.g. { '/tmp/lesson-ab12/work': '<workdir>', '/tmp/lesson-ab12/engine': '<engine>' } — longest first. */
  paths?: Record<string, string>;
  /** Generated container names known from the engine (e.g. 'hungry_hopper'); become <name-1>, <name-2>… by first appearance. */
  names?: string[];
  /** The run is on the user's own engine, whose subnets and chosen host ports depend on what ran there before. */
  hostEngine?: boolean;
  /** Docker Compose projects known from the engine (e.g. 'work'); become <project-1>… where they prefix a name compose made. */
  projects?: string[];
  /** Who ran the lesson, when not root: their ids read as root's (rootless.ts). */
  identity?: RunIdentity;
}

interface BuiltIn {
  name: string;
  /** Called once per run: the returned transform keeps its numbering across all of the run's outputs. */
  start(context: NormalizeContext): Transform;
}

// In the order they apply. `ansi` first so no escape sits inside a value; `paths` before `ids` so a
// temp directory's random hex is not an ID; `times` before `ids` so no timestamp digit run is read as
// hex; `names` after `times`, since a timestamp may end right against a name (`…41Zhungry_hopper`)
// and only once it is `<time>` does the name stand alone: in the same pass, so that a second pass
// finds nothing more; `kernel` before `times`, since a build string holds a date; `compose` after the
// placeholders are in, so that the lines it sorts read the same on every run; `tables` last among the
// built-ins, once placeholders have changed the widths. `pulls` right after `ansi`: it reads layer IDs
// as docker prints them, before `ids` numbers them.
const pipeline: readonly BuiltIn[] = [
  { name: 'ansi', start: () => cleanTerminal },
  { name: 'pulls', start: () => collapsePulls },
  { name: 'paths', start: (context) => replacePaths(context.paths) },
  // Before `times` and `tables`: it reads `ls -l` rows as ls prints them.
  { name: 'rootless', start: (context) => normalizeRootless(context.identity) },
  // Before `times` and `ids`, which then number what the regrouped vertices hold in their final order.
  { name: 'buildkit', start: () => normalizeBuildKit },
  { name: 'kernel', start: () => replaceKernel },
  { name: 'times', start: () => replaceTimes },
  { name: 'names', start: (context) => replaceNames(context.names) },
  { name: 'ids', start: () => replaceIds() },
  { name: 'addresses', start: (context) => (context.hostEngine ? replaceAddresses() : unchanged) },
  { name: 'compose', start: (context) => normalizeCompose(context.projects) },
  { name: 'tables', start: () => collapseColumns },
];

/** Names of the built-in normalizers, in the order they apply; `normalize.disable` takes these. */
export const builtInNormalizers: readonly string[] = Object.freeze(pipeline.map((builtIn) => builtIn.name));

/**
 * Normalizes all outputs of ONE lesson run together: placeholders are numbered by first appearance
 * across the whole run, in order, so the same image in step 2 and step 7 is the same `<id-N>`.
 * Pure: the same outputs and context always give the same result, and nothing is read or written.
 */
export function normalizeRun(outputs: string[], context: NormalizeContext): string[] {
  return outputs.map(startNormalizer(context));
}

/**
 * The same, one output at a time as a run goes on: call it with each step's output in order.
 * `context.names` may grow between calls. A prefix of a run normalizes exactly as in the whole run,
 * because numbers are handed out by first appearance.
 */
export function startNormalizer(context: NormalizeContext): (output: string) => string {
  const { disable, rules } = context.settings;
  const transforms = [
    ...pipeline.filter((builtIn) => !disable.includes(builtIn.name)).map((builtIn) => builtIn.start(context)),
    customRules(rules),
  ];
  return (output) => transforms.reduce((text, transform) => transform(text), output);
}
