// What a page needs, read from what its steps run: a page written without front matter still gets a
// private Docker engine for its `docker` commands, and a machine without `jq` skips the page that
// pipes into it. Pure.

import type { Step } from '../types.js';
import { simpleCommands } from './simple-commands.js';

/**
 * Programs whose absence means the lesson cannot run here. Shell built-ins, coreutils and system
 * package managers stay out: every machine has the first two, and `sudo apt-get` on a page says how
 * to install, not what the lesson runs.
 */
const tools = new Set([
  'docker', 'docker-compose', 'podman', 'kubectl', 'minikube', 'kind', 'helm',
  'git', 'curl', 'wget', 'jq', 'make', 'gcc', 'cc', 'go', 'npm', 'npx', 'yarn', 'node', 'python', 'python3', 'pip', 'pip3',
  'ssh', 'ping', 'skopeo', 'socat',
]);

/**
 * The tools the lesson's host steps start, in page order: `docker` for `docker`, `docker compose` and
 * `docker-compose`. Lines typed inside a container session are not the host's, and a program an
 * earlier step wrote (a file step named like it) is the lesson's own.
 */
export function inferRequirements(steps: Step[]): string[] {
  const found = new Set<string>();
  const written = new Set<string>();
  for (const step of steps) {
    if (step.kind === 'file') written.add(step.path.replace(/^.*\//, ''));
    if (step.kind !== 'command' && step.kind !== 'interactive') continue;
    for (const words of simpleCommands(step.command)) {
      const first = words.find((word) => !/^[A-Za-z_]\w*=/.test(word));
      // `./tool` and `bin/tool` are the lesson's own files; `/usr/bin/jq` is jq.
      if (!first || (first.includes('/') && !first.startsWith('/'))) continue;
      const program = first.replace(/^.*\//, '');
      if (written.has(program) || !tools.has(program)) continue;
      if (program === 'docker-compose') found.add('docker');
      found.add(program);
    }
  }
  return [...found];
}

/** Words that make a command talk to another engine than the lesson's. */
const elsewhere: [RegExp, string][] = [
  [/(?:^|[\s;&|(])(?:export\s+)?(DOCKER_HOST|DOCKER_CONTEXT)=\S*/, 'sets $1'],
  [/(?:^|[\s=])(?:\/var)?\/run\/docker\.sock(?=[:\s'"]|$)/, 'uses the host\'s /var/run/docker.sock'],
  [/\bdocker\s+(?:-H|--host)(?:[\s=]+)(\S+)/, 'names the engine $1'],
  [/\bdocker\s+(?:-c|--context)(?:[\s=]+)(\S+)/, 'names the Docker context $1'],
  [/\bdocker\s+context\s+use\s+(\S+)/, 'switches to the Docker context $1'],
];

/**
 * Why a command would reach a Docker engine other than the lesson's (`DOCKER_HOST=…`, `-H`, the
 * host's socket), or undefined. Such a step is never run on a private engine: it could touch the
 * user's own containers.
 */
export function otherEngine(command: string): string | undefined {
  // `-e DOCKER_HOST=…` is a container's setting, not the lesson's.
  const own = command.replace(/(?:^|\s)(?:-e|--env)[\s=]+\S+/g, ' ');
  for (const [pattern, what] of elsewhere) {
    const match = pattern.exec(own);
    if (match) return what.replace('$1', match[1] ?? '');
  }
  return undefined;
}
