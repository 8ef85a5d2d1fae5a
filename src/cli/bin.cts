#!/usr/bin/env node
// The `lesson` process starts here. Node 20 keeps no compile cache of its own (22 has
// module.enableCompileCache), so every start would parse the bundled CLI again: this compiles it
// through V8's code cache instead, kept per build and per Node version (docs/performance.md).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { constants, Script } from 'node:vm';
import { cacheFolder } from '../run/cache-folder.js';

/** A hash of main.cjs, set by scripts/build.mjs: V8 checks a cache's length, not its content. */
declare const LESSON_BUNDLE_ID: string;

const bundle = join(__dirname, 'main.cjs');
const folder = cacheFolder();
const build = `code-${LESSON_BUNDLE_ID}-`;
const cacheFile = join(folder, `${build}${process.version}-${process.arch}-${commandOf(process.argv.slice(2))}.bin`);
const cached = readIfThere(cacheFile);
const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), {
  filename: bundle,
  cachedData: cached,
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
// Written once the command is done, so the functions it ran are in the cache compiled.
if (!cached || script.cachedDataRejected) process.once('exit', () => saveCache(script));

const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, Module.createRequire(bundle), bundleModule, bundle, dirname(bundle));

/**
 * A cache holds what its first process compiled, so each command has its own: one made by
 * `--version` would leave a lesson run compiling most of what it needs.
 */
function commandOf(args: string[]): string {
  const first = args[0];
  if (first === undefined || first.startsWith('-')) return 'options';
  return ['plan', 'lint', 'check', 'new', 'shell'].includes(first) ? first : 'run';
}

function readIfThere(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Best effort: a read-only or missing cache folder only costs the next start its compile. */
function saveCache(compiled: Script): void {
  try {
    mkdirSync(folder, { recursive: true });
    // Renamed into place, so a lesson starting meanwhile reads a whole cache or none.
    const temporary = `${cacheFile}.${process.pid}`;
    writeFileSync(temporary, compiled.createCachedData());
    renameSync(temporary, cacheFile);
    removeOtherBuilds();
  } catch {
    // nothing to save into
  }
}

/** Every rebuild makes new caches; those of the builds before are of no more use. */
function removeOtherBuilds(): void {
  for (const name of readdirSync(folder)) {
    if (name.startsWith('code-') && !name.startsWith(build)) rmSync(join(folder, name), { force: true });
  }
}
