// Which images a lesson will pull from Docker Hub, read from its page: the front matter's `images:`, and
// the images its commands run or pull and its Dockerfiles start FROM. A private engine has only the
// `alpine` stand-in; a lesson that names any other image gets the image registries (see
// src/run/engine-images.ts), and a lesson that names none does not pay for them.

import type { Lesson } from '../types.js';

/** What the private engine has without any registry. */
const STAND_IN = new Set(['alpine', 'alpine:latest', 'library/alpine', 'library/alpine:latest']);

// `docker run` options that take a value as the next word (`-p 80:80`, `--name web`). The others are flags.
const VALUED = new Set(
  (
    '-a --attach --add-host --blkio-weight --cap-add --cap-drop --cgroup-parent --cgroupns --cidfile --cpu-period --cpu-quota ' +
    '--cpus --cpuset-cpus --cpu-shares -c --device --dns --dns-option --dns-search --domainname --entrypoint -e --env --env-file ' +
    '--expose --gpus --group-add --health-cmd --health-interval --health-retries --health-timeout -h --hostname --ip --ip6 --ipc ' +
    '--isolation -l --label --label-file --link --log-driver --log-opt --mac-address -m --memory --memory-swap --mount --name ' +
    '--network --net --network-alias --pid --pids-limit --platform -p --publish --pull --restart --runtime --security-opt ' +
    '--shm-size --stop-signal --stop-timeout --storage-opt --sysctl --tmpfs --ulimit -u --user --userns --uts -v --volume ' +
    '--volume-driver --volumes-from -w --workdir'
  ).split(' '),
);

const SUBCOMMANDS = /\bdocker\s+(?:container\s+)?(run|create)\s+(.*)|\bdocker\s+(?:image\s+)?pull\s+(.*)/;

/** The image a `docker run|create|pull` command line names, or undefined. */
export function imageOf(line: string): string | undefined {
  const match = SUBCOMMANDS.exec(line);
  if (!match) return undefined;
  const words = (match[2] ?? match[3] ?? '').split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (/^[|;&<>]/.test(word)) return undefined;
    if (!word.startsWith('-')) return word.replace(/^["']|["']$/g, '');
    if (VALUED.has(word)) i++;
  }
  return undefined;
}

/** Images the lesson makes itself (`docker build -t`, `docker tag`, `docker commit`): never pulled. */
function madeByLesson(text: string): Set<string> {
  const made = new Set<string>();
  for (const match of text.matchAll(/\bdocker\s+(?:image\s+|buildx\s+)?build\b[^\n]*?\s(?:-t|--tag)[ =](\S+)/g)) made.add(match[1]!);
  for (const match of text.matchAll(/\bdocker\s+(?:image\s+)?tag\s+\S+\s+(\S+)/g)) made.add(match[1]!);
  for (const match of text.matchAll(/\bdocker\s+(?:container\s+)?commit\s+(?:-\S+\s+)*\S+\s+(\S+)/g)) made.add(match[1]!);
  return made;
}

/** Whether `image` names Docker Hub (no registry host before its first slash), where mirrors serve it. */
export function onDockerHub(image: string): boolean {
  const first = image.split('/')[0]!;
  return !image.includes('/') || !(first.includes('.') || first.includes(':') || first === 'localhost');
}

function withoutTag(image: string): string {
  return image.replace(/[:@][^/]*$/, '');
}

/** Docker Hub images the lesson uses beyond the stand-in, in page order, without repeats. */
export function imagesNeeded(lesson: Lesson): string[] {
  const commands: string[] = [];
  const dockerfiles: string[] = [];
  for (const step of lesson.steps) {
    if (step.kind === 'file') dockerfiles.push(step.content);
    else if (step.kind === 'command' || step.kind === 'interactive') commands.push(step.command);
  }
  const made = madeByLesson(commands.join('\n'));
  // Build stages (`FROM golang AS build`, then `FROM build`) are not images.
  for (const content of dockerfiles) for (const match of content.matchAll(/^\s*FROM\s+\S+.*\s+AS\s+(\S+)/gim)) made.add(match[1]!);
  const madeNames = new Set([...made].map(withoutTag));
  const named = [
    ...(lesson.settings.images ?? []),
    ...commands.flatMap((command) => command.split('\n').map(imageOf)),
    ...dockerfiles.flatMap((content) => [...content.matchAll(/^\s*FROM\s+(?:--\S+\s+)*(\S+)/gim)].map((match) => match[1])),
  ];
  const found: string[] = [];
  for (const image of named) {
    if (!image || image.includes('$') || STAND_IN.has(image) || image === 'scratch') continue;
    if (made.has(image) || madeNames.has(withoutTag(image)) || !onDockerHub(image) || found.includes(image)) continue;
    found.push(image);
  }
  return found;
}

/** Whether the lesson runs, pulls or builds FROM the `alpine` stand-in, which every private engine holds. */
export function usesStandIn(lesson: Lesson): boolean {
  const named = [...(lesson.settings.images ?? [])];
  for (const step of lesson.steps) {
    if (step.kind === 'file') named.push(...[...step.content.matchAll(/^\s*FROM\s+(?:--\S+\s+)*(\S+)/gim)].map((match) => match[1]!));
    else if (step.kind === 'command' || step.kind === 'interactive') named.push(...step.command.split('\n').flatMap((line) => imageOf(line) ?? []));
  }
  return named.some((image) => STAND_IN.has(image));
}
