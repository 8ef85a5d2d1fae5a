import { Option } from 'commander';
import type { EngineChoice } from '../run/requirements.js';
import { defaultSnapshotsDir } from '../snapshot/default-dir.js';

// Options several commands take, defined once so their names, choices and defaults cannot drift apart.

const engines: EngineChoice[] = ['private', 'host'];

export function engineOption(description = 'Docker engine for lessons that need one'): Option {
  return new Option('--engine <engine>', description).choices(engines).default('private' satisfies EngineChoice);
}

export function snapshotsOption(description = 'folder of snapshot files'): Option {
  return new Option('--snapshots <dir>', description).default(defaultSnapshotsDir);
}

export function builderOption(): Option {
  return new Option('--builder <builder>', 'build images with this builder (sets DOCKER_BUILDKIT, and picks a docker CLI that has it); default: the machine\'s').choices(['legacy', 'buildkit']);
}
