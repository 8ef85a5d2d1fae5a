// Finds the config file (lesson.config.yaml, or package.json's "lesson" key) from the current folder
// upward, and applies it: to the options of the command about to run, where the command line left
// them unset, and to every page read after (parse/config.ts reads it; this is where files are).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { globSync } from 'tinyglobby';
import { configFileName, readConfig, readPackageConfig, type Config } from '../parse/config.js';
import { defaultSettings, layered, type SettingsLayer } from '../parse/settings.js';
import { decodeUtf8 } from '../parse/text.js';
import { InputError } from '../errors.js';
import type { Settings } from '../types.js';

/** The config the running command uses, and the folder its relative paths start from. */
interface Active {
  config: Config;
  dir: string;
}

let active: Active | undefined;
let commandLine: SettingsLayer | undefined;

/** The nearest config from `from` upward: lesson.config.yaml first, then a package.json with a "lesson" key. */
export function findConfig(from: string = process.cwd()): Config | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const file = join(dir, configFileName);
    if (existsSync(file)) return readConfig(read(file), shown(file));
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const config = readPackageConfig(read(pkg), shown(pkg));
      if (config) return config;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function read(file: string): string {
  try {
    return decodeUtf8(readFileSync(file), file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, shown(file));
  }
}

/** A path as messages show it: relative to the current folder. */
function shown(path: string): string {
  return relative(process.cwd(), path) || '.';
}

/** A path the config file gives, as the command uses it: relative to the current folder. */
function place(path: string, dir: string): string {
  return shown(resolve(dir, path));
}

/**
 * Reads the config for the command about to run (commander's preAction) and gives its options the
 * config's values where the command line gave none. Command-line flags win over the config; the
 * environment's LESSON_REGISTRY_UPSTREAM wins over `registry-upstream`.
 */
export async function applyConfig(command: Command): Promise<void> {
  const config = findConfig();
  active = config && { config, dir: dirname(resolve(config.file)) };
  const flags = command.opts();
  const layer: SettingsLayer = { origins: {} };
  if (flags.checkPage === true) Object.assign(layer, { checkPage: true }).origins['check-page'] = 'command line';
  if (flags.network !== undefined) Object.assign(layer, { network: flags.network }).origins.network = 'command line';
  commandLine = Object.keys(layer.origins).length > 0 ? layer : undefined;
  if (!active || !config) return;
  const { dir } = active;
  const takes = (name: string) => command.options.some((option) => option.attributeName() === name);
  const unset = (name: string) => takes(name) && [undefined, 'default'].includes(command.getOptionValueSource(name));
  const set = (name: string, value: unknown) => {
    if (unset(name)) command.setOptionValueWithSource(name, value, 'config');
  };
  if (config.snapshots) set('snapshots', place(config.snapshots.value, dir));
  if (config.jobs) set('jobs', config.jobs.value);
  if (config.builder) set('builder', config.builder.value);
  if (config.reporters && unset('reporter')) {
    const { reporterNames } = await import('../report/choose.js');
    const specs = config.reporters.value.map((spec) => {
      const [name = '', ...file] = spec.split('=');
      if (!reporterNames.includes(name)) throw new InputError(`"reporters": unknown reporter "${name}"; known: ${reporterNames.join(', ')}`, config.file, config.reporters?.line);
      return file.length > 0 ? `${name}=${place(file.join('='), dir)}` : name;
    });
    set('reporter', specs);
  }
  if (config.registryUpstream && !process.env.LESSON_REGISTRY_UPSTREAM) process.env.LESSON_REGISTRY_UPSTREAM = config.registryUpstream.value;
}

/** What every page read now goes over: the defaults with the config's, and the command line's on top. */
export function pageSettings(): { base?: Settings; commandLine?: SettingsLayer } {
  return { ...(active && { base: layered(defaultSettings(), active.config.pages) }), ...(commandLine && { commandLine }) };
}

/** The files the config's `lessons` globs match, relative to the current folder; undefined when it gives none. */
export function configuredFiles(): { files: string[]; source: string } | undefined {
  const lessons = active?.config.lessons;
  if (!active || !lessons) return undefined;
  const { dir, config } = active;
  const files = globSync(lessons.value, { cwd: dir, onlyFiles: true }).map((file) => place(file, dir));
  return { files: files.sort(), source: `${config.file}:${lessons.line}` };
}
