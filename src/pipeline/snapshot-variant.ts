// Where the snapshot file meets the machine: which of its variants fits the builder and engine this
// machine will use, read before the run, and the run's outcome merged back as that variant.

import { mkdir, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { NORMALIZERS } from '../normalize/version.js';
import { describeFacts, differingFacts, factsOf, mergeVariant, selectVariant, type Facts } from '../snapshot/variants.js';
import { readSnapshot, writeSnapshot } from '../snapshot/store.js';
import { InputError } from '../errors.js';
import type { EngineChoice, Lesson, Snapshot } from '../types.js';
import { clientFor, describeClients, detectBuilder, dockerClients, useBuilder, type BuilderKind } from '../run/builder.js';
import { cacheFolder } from '../run/cache-folder.js';
import { findProgram } from '../run/find-program.js';
import { runsRootless } from '../run/rootless.js';

export interface OpenedSnapshot {
  /** The whole file as read, every variant in it; undefined when none was recorded yet. */
  file?: Snapshot;
  /** The variant this run is judged against, as plain entries; undefined when a new one is recorded. */
  recorded?: Snapshot;
  /** What the machine is expected to be, as the variants' environments say it. */
  facts: Facts;
  /** Recording (`-u`): what is written was all normalized by today's normalizers. */
  update?: boolean;
}

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/**
 * The facts of the machine a lesson is about to run on, found before any engine starts: the builder
 * the docker CLI will use, and the engine's version (the private engine's dockerd, or the host's).
 */
export async function machineFacts(lesson: Lesson, engine: EngineChoice, env: NodeJS.ProcessEnv = process.env): Promise<Facts> {
  if (!lesson.requires.includes('docker')) return {};
  // The same for every lesson of a `check` until --builder changes PATH or DOCKER_BUILDKIT: asked once.
  const key = JSON.stringify([engine, env.PATH, env.DOCKER_BUILDKIT, env.DOCKER_HOST, env.DOCKER_CONTEXT]);
  let facts = known.get(key);
  if (!facts) {
    facts = askMachine(engine, env);
    known.set(key, facts);
  }
  return facts;
}

const known = new Map<string, Promise<Facts>>();

async function askMachine(engine: EngineChoice, env: NodeJS.ProcessEnv): Promise<Facts> {
  const [builder, version] = await Promise.all([
    detectBuilder(env),
    engine === 'private'
      ? dockerdVersion(env)
      : execa('docker', ['version', '--format', 'Docker version {{.Server.Version}},'], { env, reject: false, timeout: 15_000 }).then((server) => versionIn(server.stdout)),
  ]);
  const mode = engine === 'host' ? 'host' : runsRootless() ? 'rootless' : undefined;
  return factsOf({ builder, ...(version && { 'docker server': version }), ...(mode && { 'engine mode': mode }) });
}

function versionIn(text: string | undefined): string | undefined {
  return /version (\S+?),/.exec(text ?? '')?.[1];
}

/**
 * The version of the dockerd a private engine runs. Starting dockerd only to ask costs up to a second
 * on a busy machine, before every run: the answer is kept in the cache, for as long as the binary at
 * that path is the same file.
 */
async function dockerdVersion(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const path = [env.PATH ?? '', ...SBIN].join(':');
  const program = await findProgram('dockerd', path);
  if (!program) return undefined;
  const file = await stat(await realpath(program)).catch(() => undefined);
  const key = file && `${await realpath(program)} ${file.size} ${file.mtimeMs}`;
  const cache = join(cacheFolder(), 'dockerd-version.json');
  const cached = (await readFile(cache, 'utf8').then((text) => JSON.parse(text) as { key?: string; version?: string }, () => undefined)) ?? {};
  if (key && cached.key === key && cached.version) return cached.version;
  const version = versionIn((await execa(program, ['--version'], { env: { ...env, PATH: path }, reject: false, timeout: 15_000 })).stdout);
  if (key && version) {
    // Written aside and renamed: a run reading it at the same time sees the old file or the new one.
    await mkdir(cacheFolder(), { recursive: true });
    const partial = `${cache}.${process.pid}.tmp`;
    await writeFile(partial, JSON.stringify({ key, version }));
    await rename(partial, cache);
  }
  return version;
}

/**
 * Reads the snapshot and picks the variant that fits this machine. With `switchBuilder` (one lesson,
 * no `--builder`, not recording) a variant that only needs the other builder is checked with it when
 * a docker CLI here has it. When none fits, throws an InputError naming the facts that differ and
 * the command that records a variant here; when recording (`update`), a new variant is written instead.
 */
export async function openSnapshot(path: string, lesson: Lesson, options: { engine: EngineChoice; update: boolean; switchBuilder?: boolean }): Promise<OpenedSnapshot> {
  const file = readSnapshot(path);
  // Asking the docker CLI and dockerd costs a few processes: not when nothing recorded names a fact.
  if (!file || (!file.variants && Object.keys(factsOf(file.environment)).length === 0)) return { file, recorded: file, facts: {}, update: options.update };
  let facts = await machineFacts(lesson, options.engine);
  let selection = selectVariant(file, facts);
  if ('snapshot' in selection) return { file, recorded: selection.snapshot, facts, update: options.update };
  if (options.update) return { file, facts, update: true };

  const builders = selection.nearest
    .filter((recorded) => differingFacts(recorded, facts).join() === 'builder')
    .map((recorded) => recorded.builder as BuilderKind);
  const clients = builders.length > 0 ? await dockerClients(process.env) : [];
  const available = builders.find((builder) => clientFor(builder, clients));
  if (options.switchBuilder && available) {
    await useBuilder(available);
    facts = await machineFacts(lesson, options.engine);
    selection = selectVariant(file, facts);
    if ('snapshot' in selection) return { file, recorded: selection.snapshot, facts };
  }
  const record = `\`lesson run ${lesson.path} -u\` records a variant for ${describeFacts(facts)}`;
  const builder =
    builders.length === 0
      ? ''
      : available
        ? `; the variant for builder ${available} can be checked here with \`--builder ${available}\``
        : `; the builder ${builders.join(' or ')} is needed, and this machine has ${describeClients(clients)}`;
  throw new InputError(`${'mismatch' in selection ? selection.mismatch : ''}${builder}; ${record}`, path);
}

/** Writes `written`, the plain snapshot the judging code gave back, as its variant of the file. */
export function saveSnapshot(path: string, opened: OpenedSnapshot, written: Snapshot): void {
  // Without -u, only new entries are added to what older normalizers may have written: the version stays.
  const normalizers = opened.update || !opened.recorded ? NORMALIZERS : opened.recorded.normalizers;
  writeSnapshot(path, mergeVariant(opened.file, { lesson: written.lesson, ...(normalizers !== undefined && { normalizers }), environment: written.environment, steps: written.steps }));
}
