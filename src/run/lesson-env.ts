import { join } from 'node:path';
import type { Engine } from './engine.js';
import { CREDENTIAL_VARIABLES } from './registry-credentials.js';
import type { Workspace } from './workspace.js';

/** What in the user's environment picks a Docker engine: a lesson sees none of it unless it runs on the host's. */
const engineSelectors = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_TLS'];

/** The locale steps run in when the page's front matter names none. */
export const DEFAULT_LOCALE = 'C.UTF-8';

// LC_* and LANGUAGE each override LANG for some messages or formats: all of them go.
const overridesLang = (name: string): boolean => name.startsWith('LC_') || name === 'LANGUAGE';

/**
 * The environment of the lesson's shell and terminals: the user's, with the lesson's engine in place of
 * theirs, in one locale whoever runs it, so a snapshot never records a reader's language. A lesson
 * without an engine gets one that does not exist, so a `docker` command the plan did not see fails at
 * once instead of reaching the user's own engine through its default socket.
 */
export function lessonEnv(workspace: Workspace, engine: Engine | undefined, locale = DEFAULT_LOCALE): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !overridesLang(name)));
  if (engine?.kind !== 'host') for (const name of engineSelectors) delete env[name];
  // The image upstream's credentials are the cache's alone.
  for (const name of CREDENTIAL_VARIABLES) delete env[name];
  if (!engine) env.DOCKER_HOST = `unix://${join(workspace.root, 'no-docker-engine.sock')}`;
  return { ...env, ...engine?.env, LANG: locale, LESSON_WORKDIR: workspace.workdir };
}
