// Docker Compose for the lessons that use it: the `docker compose` plugin (2.x) where the machine has
// one, else Debian's docker-compose 1.29, which then also answers `docker compose` on the page. Its
// version goes into the snapshot's environment: 1.x and 2.x print different outputs.

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { EngineUnavailable } from '../errors.js';
import { simpleCommands } from '../plan/simple-commands.js';
import type { Lesson } from '../types.js';
import { engineRequest } from './engine-api.js';

/** Whether a host step of the lesson runs `docker compose` or `docker-compose`. */
export function usesCompose(lesson: Lesson): boolean {
  return lesson.steps.some(
    (step) =>
      (step.kind === 'command' || step.kind === 'interactive') &&
      simpleCommands(step.command).some((words) => words[0] === 'docker-compose' || (words[0] === 'docker' && words[1] === 'compose')),
  );
}

export interface Compose {
  /** `2.29.1` for the plugin, `1.29.2` for docker-compose. */
  version: string;
  /** The plugin, or the standalone 1.x program. */
  plugin: boolean;
}

/** The Compose this machine offers to `env`'s docker CLI: the plugin first, then docker-compose. */
export async function findCompose(env: NodeJS.ProcessEnv): Promise<Compose | undefined> {
  const options = { env, reject: false, timeout: 30_000 } as const;
  const plugin = await execa('docker', ['compose', 'version', '--short'], options);
  if (plugin.exitCode === 0 && plugin.stdout.trim() !== '') return { version: plugin.stdout.trim().replace(/^v/, ''), plugin: true };
  const standalone = await execa('docker-compose', ['version', '--short'], options);
  if (standalone.exitCode === 0 && standalone.stdout.trim() !== '') return { version: standalone.stdout.trim(), plugin: false };
  return undefined;
}

/**
 * Why this Compose must not run against this engine, or undefined. docker-compose 1.x reads the image's
 * `ContainerConfig`, which engines 25 and later no longer return: it fails with `KeyError:
 * 'ContainerConfig'` as soon as it recreates a container, halfway through a lesson.
 */
export function unfitPairing(compose: Compose, server: string): string | undefined {
  const engineMajor = Number.parseInt(server, 10);
  if (compose.plugin || !compose.version.startsWith('1.') || !(engineMajor >= 25)) return undefined;
  return (
    `docker-compose ${compose.version} breaks on Docker engines 25 and later (this one is ${server}) when it ` +
    'recreates containers: install the docker compose plugin (Debian: docker-compose-plugin or docker-compose-v2), or use an engine older than 25'
  );
}

// A Docker CLI plugin is a program the CLI asks for its metadata, then runs with the plugin's name first.
const PLUGIN = `#!/bin/sh
if [ "$1" = docker-cli-plugin-metadata ]; then
  printf '{"SchemaVersion":"0.1.0","Vendor":"lesson","Version":"%s","ShortDescription":"docker-compose 1.x as docker compose"}\\n' "$LESSON_COMPOSE_VERSION"
  exit 0
fi
shift
exec docker-compose "$@"
`;

/**
 * Makes `docker compose` run docker-compose 1.x for the lesson's shell and terminals: a CLI plugin in a
 * config folder of the run's own. The reader's ~/.docker is not read; a private engine needs nothing from it.
 */
export async function composePlugin(folder: string, compose: Compose): Promise<Record<string, string>> {
  const plugins = join(folder, 'cli-plugins');
  await mkdir(plugins, { recursive: true });
  await writeFile(join(plugins, 'docker-compose'), PLUGIN);
  await chmod(join(plugins, 'docker-compose'), 0o755);
  return { DOCKER_CONFIG: folder, LESSON_COMPOSE_VERSION: compose.version };
}

/**
 * For a lesson that uses Compose on `engine`'s environment: the fact recorded in its environment
 * (`compose: 1.29.2`) and what its shell's environment gains. Throws EngineUnavailable where no Compose
 * is found or the one found breaks on this engine, before any step runs.
 */
export async function prepareCompose(
  env: NodeJS.ProcessEnv,
  server: string,
  configFolder: string | undefined,
): Promise<{ environment: Record<string, string>; env: Record<string, string> }> {
  const compose = await findCompose(env);
  if (!compose) {
    throw new EngineUnavailable('this lesson runs Docker Compose, and neither `docker compose` nor docker-compose is installed: run `bash scripts/setup.sh`');
  }
  const unfit = unfitPairing(compose, server);
  if (unfit) throw new EngineUnavailable(unfit);
  const extra = !compose.plugin && configFolder ? await composePlugin(configFolder, compose) : {};
  return { environment: { compose: compose.version }, env: extra };
}

/** The run's hook: nothing for a lesson without Compose or without an engine. */
export async function lessonCompose(
  lesson: Lesson,
  engine: { kind: string; env: Record<string, string> } | undefined,
  shellEnv: NodeJS.ProcessEnv,
  environment: Record<string, string>,
  runFolder: string,
): Promise<{ environment: Record<string, string>; env: Record<string, string> }> {
  if (!engine || !usesCompose(lesson)) return { environment: {}, env: {} };
  // Only a private engine's runs get a config folder of their own: with --engine host, the reader's
  // contexts and credentials in ~/.docker still apply.
  const folder = engine.kind === 'private' ? join(runFolder, 'docker-config') : undefined;
  return prepareCompose(shellEnv, environment['docker server'] ?? '', folder);
}

/**
 * The Compose projects the engine knows (its containers' `com.docker.compose.project` label), added to
 * `known` after a step that ran Compose: the normalizer then knows the project even in an output that
 * does not show its default network (`docker compose ps` first).
 */
export async function collectProjects(dockerHost: string | undefined, command: string, known: string[]): Promise<void> {
  if (!dockerHost || !/\bdocker(?:-compose|\s+compose)\b/.test(command)) return;
  const filter = encodeURIComponent(JSON.stringify({ label: ['com.docker.compose.project'] }));
  try {
    const { body } = await engineRequest(dockerHost.replace(/^unix:\/\//, ''), 'GET', `/containers/json?all=1&filters=${filter}`);
    for (const container of JSON.parse(body) as { Labels?: Record<string, string> }[]) {
      const project = container.Labels?.['com.docker.compose.project'];
      if (project && !known.includes(project)) known.push(project);
    }
  } catch {
    // An engine that does not answer leaves the projects as they were: the outputs still name theirs.
  }
}
