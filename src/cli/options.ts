import { Option } from 'commander';
import { InputError } from '../errors.js';
import { defaultSnapshotsDir } from '../snapshot/default-dir.js';
import { engineChoices, networkChoices, type EngineChoice, type NetworkChoice } from '../types.js';

// Options several commands take, defined once so their names, choices and defaults cannot drift apart.

/** What `--snapshots` and `--engine` parse to, in every command that runs lessons. */
export interface SharedFlags {
  snapshots: string;
  engine: EngineChoice;
  /** false with --no-sandbox. */
  sandbox: boolean;
  /** `--network`: overrides the pages' `network:`; undefined leaves it to them (none when they say nothing). */
  network?: NetworkChoice;
  /** --registry-upstream: the registry the image cache pulls from. */
  registryUpstream?: string;
}

export function engineOption(description = 'Docker engine for lessons that need one'): Option {
  return new Option('--engine <engine>', description).choices(engineChoices).default('private' satisfies EngineChoice);
}

/** No default: a page's `network:` applies unless the command line says otherwise. */
export function networkOption(): Option {
  return new Option('--network <network>', "what private engines and their containers reach: outbound (the outside, through slirp4netns) or none; default: the page's `network:`, else none").choices(networkChoices);
}

export function noSandboxOption(): Option {
  return new Option('--no-sandbox', "run the steps outside the sandbox: they can then write wherever you can and read your home (a page cannot ask for this)");
}

export function registryUpstreamOption(): Option {
  return new Option('--registry-upstream <url>', 'registry the image cache pulls from, e.g. a company mirror (default: LESSON_REGISTRY_UPSTREAM, else Docker Hub); each upstream has its own cache');
}

export function snapshotsOption(description = 'folder of snapshot files'): Option {
  return new Option('--snapshots <dir>', description).default(defaultSnapshotsDir);
}

/** Whether this runs in CI, which never writes snapshots. */
export function isCi(): boolean {
  return Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
}

export function checkPageOption(): Option {
  return new Option('--check-page', "check the outputs every page shows against what runs, whatever the front matter and the config file say");
}

export function builderOption(): Option {
  return new Option('--builder <builder>', 'build images with this builder (sets DOCKER_BUILDKIT, and picks a docker CLI that has it); default: the machine\'s').choices(['legacy', 'buildkit']);
}

/** Whether this runs in CI; `-u` there is refused at once, before anything runs, rather than failing each new step. */
export function ciRefusingUpdate(update: boolean): boolean {
  const ci = isCi();
  if (ci && update) throw new InputError('-u writes snapshots, and CI never writes them: unset CI to record');
  return ci;
}
