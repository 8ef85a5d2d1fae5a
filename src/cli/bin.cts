#!/usr/bin/env node
// The `lesson` process starts here. Node 20 keeps no compile cache of its own (22 has
// module.enableCompileCache), so every start would parse the bundled CLI again: this compiles it
// through V8's code cache instead, kept per build and per Node version (docs/performance.md).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { constants, Script } from 'node:vm';
import { crc32 } from 'node:zlib';
import { cacheFolder } from '../run/cache-folder.js';
import { commandOf } from './command-names.js';

/** A hash of main.cjs, set by scripts/build.mjs: V8 checks a cache's length, not its content. */
declare const LESSON_BUNDLE_ID: string;

const bundle = join(__dirname, 'main.cjs');
const folder = cacheFolder();
const build = `code-${LESSON_BUNDLE_ID}-`;
// A cache holds what its first process compiled, so each command has its own: one made by `--version`
// would leave a lesson run compiling most of what it needs.
const cacheFile = join(folder, `${build}${process.version}-${process.arch}-${commandOf(process.argv.slice(2))}.bin`);
const cached = readCache(cacheFile);
const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), {
  filename: bundle,
  cachedData: cached,
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
// Written once the command is done, so the functions it ran are in the cache compiled; not after bad
// usage or input (status 2), which stops before most of the command's code has run.
if (!cached || script.cachedDataRejected) {
  process.once('exit', (status) => {
    if (status !== 2) saveCache(script);
  });
}

const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, Module.createRequire(bundle), bundleModule, bundle, dirname(bundle));

/**
 * The cache, behind a CRC-32 of itself. V8 checks only a cache's header and length: one damaged
 * anywhere else (a write cut short by a power loss) would crash every start, so it is checked here.
 */
function readCache(file: string): Buffer | undefined {
  let stored: Buffer;
  try {
    stored = readFileSync(file);
  } catch {
    return undefined;
  }
  const data = stored.subarray(4);
  return stored.length > 4 && stored.readUInt32LE(0) === crc32(data) ? data : undefined;
}

/** Best effort: a read-only or missing cache folder only costs the next start its compile. */
function saveCache(compiled: Script): void {
  try {
    mkdirSync(folder, { recursive: true });
    const data = compiled.createCachedData();
    const sum = Buffer.alloc(4);
    sum.writeUInt32LE(crc32(data));
    // Renamed into place, so a lesson starting meanwhile reads a whole cache or none.
    const temporary = `${cacheFile}.${process.pid}`;
    writeFileSync(temporary, Buffer.concat([sum, data]));
    renameSync(temporary, cacheFile);
    removeOthers();
  } catch {
    // nothing to save into
  }
}

/**
 * Every rebuild makes new caches; those of the builds before are of no more use, nor are the
 * temporary files of writes that were cut short (a writer's, taken meanwhile, only fails its rename).
 */
function removeOthers(): void {
  for (const name of readdirSync(folder)) {
    const stale = !name.startsWith(build) || /\.bin\.\d+$/.test(name);
    if (name.startsWith('code-') && stale) rmSync(join(folder, name), { force: true });
  }
}
