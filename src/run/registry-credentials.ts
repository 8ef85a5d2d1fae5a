// Credentials for the upstream the cache pulls from (a company mirror, private images): from
// LESSON_REGISTRY_USERNAME and LESSON_REGISTRY_PASSWORD, else from the user's Docker credentials
// (`docker login`: config.json's `auths`, or its credential helper). They go to the cache's registry
// only, in its config file (mode 0600): never on a command line, in a lesson's environment, a
// snapshot, a report or a log.

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface Credentials {
  username: string;
  password: string;
}

/** The environment variables that hold credentials: a lesson's steps never see them. */
export const CREDENTIAL_VARIABLES = ['LESSON_REGISTRY_USERNAME', 'LESSON_REGISTRY_PASSWORD'];

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The names `docker login` may have stored an upstream under: Docker Hub has its own. */
function serverNames(upstream: string): string[] {
  const host = new URL(upstream).host;
  if (/(^|\.)docker\.io$/.test(host)) return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  return [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
}

async function fromHelper(helper: string, server: string): Promise<Credentials | undefined> {
  const answer = await execa(`docker-credential-${helper}`, ['get'], { input: server, reject: false, timeout: 15_000 });
  if (answer.exitCode !== 0) return undefined;
  try {
    const { Username, Secret } = JSON.parse(answer.stdout) as { Username?: string; Secret?: string };
    return Username && Secret ? { username: Username, password: Secret } : undefined;
  } catch {
    return undefined;
  }
}

/** The credentials for `upstream`, or undefined when there are none (a public upstream). */
export async function upstreamCredentials(upstream: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  if (env.LESSON_REGISTRY_USERNAME && env.LESSON_REGISTRY_PASSWORD) return { username: env.LESSON_REGISTRY_USERNAME, password: env.LESSON_REGISTRY_PASSWORD };
  let config: DockerConfig;
  try {
    config = JSON.parse(await readFile(join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json'), 'utf8')) as DockerConfig;
  } catch {
    return undefined;
  }
  for (const server of serverNames(upstream)) {
    const entry = config.auths?.[server];
    if (entry?.username && entry.password) return { username: entry.username, password: entry.password };
    if (entry?.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    const helper = config.credHelpers?.[server] ?? (entry !== undefined || server === serverNames(upstream)[0] ? config.credsStore : undefined);
    if (helper) {
      const found = await fromHelper(helper, server);
      if (found) return found;
    }
  }
  return undefined;
}
