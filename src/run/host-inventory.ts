// On the user's own engine (`--engine host`), a lesson must leave nothing behind and never remove what
// was there before it. What the engine holds is listed before the lesson and after it, and what is new
// is removed: containers first (they hold images, volumes and networks), then tags and images, volumes,
// networks and build cache records. Through the docker CLI, so that any engine the user's environment
// names works: a socket, tcp, ssh, a context.

import { execa } from 'execa';

/** What an engine holds, by ID; images with their tags. */
export interface Inventory {
  containers: string[];
  images: { id: string; tags: string[] }[];
  volumes: string[];
  networks: string[];
  buildCache: string[];
  /** Names, for telling a reader what the lesson will meet: containers, image repositories and tags, volumes, networks. */
  names: { kind: 'container' | 'image' | 'volume' | 'network'; name: string }[];
}

type Env = Record<string, string | undefined>;

async function docker(env: Env, args: string[]): Promise<string[]> {
  const run = await execa('docker', args, { env, reject: false, timeout: 30_000 });
  if (run.exitCode !== 0) throw new Error(`docker ${args.join(' ')}: ${(run.stderr || run.stdout).trim()}`);
  return run.stdout.split('\n').filter(Boolean);
}

/** Everything the engine holds now. */
export async function takeInventory(env: Env): Promise<Inventory> {
  const [containers, images, volumes, networks, buildCache] = await Promise.all([
    docker(env, ['container', 'ls', '--all', '--no-trunc', '--format', '{{.ID}} {{.Names}}']),
    docker(env, ['image', 'ls', '--all', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}']),
    docker(env, ['volume', 'ls', '--format', '{{.Name}}']),
    docker(env, ['network', 'ls', '--no-trunc', '--format', '{{.ID}} {{.Name}}']),
    // Old engines and clients without BuildKit have no records to list: none, then.
    docker(env, ['system', 'df', '--verbose', '--format', '{{range .BuildCache}}{{.ID}}\n{{end}}']).catch(() => []),
  ]);
  const byImage = new Map<string, string[]>();
  for (const line of images) {
    const [id = '', tag = ''] = line.split(' ');
    const tags = byImage.get(id) ?? [];
    if (!tag.includes('<none>')) tags.push(tag);
    byImage.set(id, tags);
  }
  const names: Inventory['names'] = [
    ...containers.map((line) => ({ kind: 'container' as const, name: line.split(' ')[1] ?? '' })),
    ...[...byImage.values()].flat().map((tag) => ({ kind: 'image' as const, name: tag })),
    ...volumes.map((name) => ({ kind: 'volume' as const, name })),
    ...networks.map((line) => ({ kind: 'network' as const, name: line.split(' ')[1] ?? '' })),
  ];
  return {
    containers: containers.map((line) => line.split(' ')[0] ?? ''),
    images: [...byImage].map(([id, tags]) => ({ id, tags })),
    volumes,
    networks: networks.map((line) => line.split(' ')[0] ?? ''),
    buildCache: buildCache.map((line) => line.trim()).filter(Boolean),
    names,
  };
}

/** What `after` holds that `before` did not: new containers, images, tags on old images, volumes, networks, cache records. */
export function added(before: Inventory, after: Inventory) {
  const had = (list: string[]) => new Set(list);
  const containers = had(before.containers);
  const oldImages = new Map(before.images.map((image) => [image.id, new Set(image.tags)]));
  const volumes = had(before.volumes);
  const networks = had(before.networks);
  const cache = had(before.buildCache);
  return {
    containers: after.containers.filter((id) => !containers.has(id)),
    images: after.images.filter((image) => !oldImages.has(image.id)).map((image) => image.id),
    tags: after.images.flatMap((image) => (oldImages.has(image.id) ? image.tags.filter((tag) => !oldImages.get(image.id)?.has(tag)) : [])),
    volumes: after.volumes.filter((name) => !volumes.has(name)),
    networks: after.networks.filter((id) => !networks.has(id)),
    buildCache: after.buildCache.filter((id) => !cache.has(id)),
  };
}

export type Added = ReturnType<typeof added>;

/**
 * Removes what the engine holds now and did not hold in `before`; what was there before stays, tags
 * included. Returns what could not be removed, with why.
 */
export async function removeAdded(env: Env, before: Inventory): Promise<string[]> {
  const extra = added(before, await takeInventory(env));
  const problems: string[] = [];
  const attempt = async (args: string[]) => {
    await docker(env, args).catch((error: Error) => problems.push(error.message));
  };
  if (extra.containers.length) await attempt(['container', 'rm', '--force', '--volumes', ...extra.containers]);
  // A tag the lesson put on an image that was there before goes; the image stays.
  if (extra.tags.length) await attempt(['image', 'rm', '--no-prune', ...extra.tags]);
  // Images built on one another are removed children first: each pass removes those nothing uses now.
  let images = extra.images;
  for (let pass = 0; images.length > 0 && pass < 10; pass++) {
    const left = new Set((await takeInventory(env)).images.map((image) => image.id));
    images = images.filter((id) => left.has(id));
    if (images.length === 0) break;
    await docker(env, ['image', 'rm', '--force', ...images]).catch(() => undefined);
  }
  const stubborn = new Set((await takeInventory(env)).images.map((image) => image.id));
  for (const id of extra.images.filter((image) => stubborn.has(image))) problems.push(`image ${id} could not be removed`);
  // A tag the lesson moved to its own image is given back to the image that had it.
  const now = await takeInventory(env);
  const present = new Map(now.images.map((image) => [image.id, new Set(image.tags)]));
  for (const image of before.images) {
    const tags = present.get(image.id);
    if (tags) for (const tag of image.tags.filter((t) => !tags.has(t))) await attempt(['image', 'tag', image.id, tag]);
  }
  if (extra.volumes.length) await attempt(['volume', 'rm', '--force', ...extra.volumes]);
  if (extra.networks.length) await attempt(['network', 'rm', ...extra.networks]);
  for (const id of extra.buildCache) await docker(env, ['builder', 'prune', '--force', '--filter', `id=${id}`]).catch(() => undefined);
  return problems;
}

/** The names in `inventory` that the lesson's commands use, as `image alpine`, `container web`: met, not made, by the lesson. */
export function namesMet(inventory: Inventory, commands: string[]): string[] {
  const words = new Set(commands.flatMap((command) => command.split(/[\s'"=]+/)).filter(Boolean));
  const defaults = new Set(['bridge', 'host', 'none']);
  return inventory.names
    .filter(({ kind, name }) => {
      if (kind === 'network' && defaults.has(name)) return false;
      const repository = kind === 'image' ? name.replace(/:latest$/, '') : name;
      return words.has(name) || words.has(repository);
    })
    .map(({ kind, name }) => `${kind} ${name}`);
}
