import type { Command } from 'commander';
import { registryUpstreamOption, snapshotsOption } from '../options.js';

interface ImagesFlags {
  registryUpstream?: string;
}

/** `lesson images add|ls|rm|prune`: the image store and the cache (src/run/image-store.ts). */
export function defineImages(command: Command): void {
  command.description('the image store and the pull-through cache private engines pull from: add, ls, rm, prune');

  command
    .command('add')
    .description('put images into the store, from the upstream (through the cache), your own engine, or a file')
    .argument('<image...>', 'Docker Hub names: ubuntu, redis:7, jpetazzo/clock')
    .option('--from <source>', 'host (your own engine), docker-archive:FILE (`docker save`), oci:DIR; default: the upstream')
    .addOption(registryUpstreamOption())
    .action(async (refs: string[], flags: ImagesFlags & { from?: string }) => {
      const [{ addImages, parseOrigin }, { hostEngine }] = await Promise.all([import('../../run/image-store.js'), import('../../run/engine.js')]);
      const origin = parseOrigin(flags.from);
      const added = await addImages(refs, origin, { upstream: flags.registryUpstream, dockerEnv: hostEngine().env });
      for (const { ref, digest } of added) process.stdout.write(`added ${ref} ${digest}\n`);
    });

  command
    .command('ls')
    .description('list what the store and the cache hold, with sizes and the disk they use')
    .addOption(registryUpstreamOption())
    .action(async (flags: ImagesFlags) => {
      const [{ listImages }, { formatListing }] = await Promise.all([import('../../run/image-store.js'), import('../images-text.js')]);
      process.stdout.write(formatListing(await listImages({ upstream: flags.registryUpstream })));
    });

  command
    .command('rm')
    .description('remove images from the store and the cache')
    .argument('<image...>', 'ubuntu, redis:7, ubuntu@sha256:…')
    .addOption(registryUpstreamOption())
    .action(async (refs: string[], flags: ImagesFlags) => {
      const [{ removeImages }, { formatBytes }] = await Promise.all([import('../../run/image-store.js'), import('../images-text.js')]);
      for (const { folder, ref, image } of await removeImages(refs, { upstream: flags.registryUpstream })) {
        process.stdout.write(`removed ${ref} ${image.digest} from the ${folder} (${formatBytes(image.size)})\n`);
      }
    });

  command
    .command('prune')
    .description('remove what no snapshot pins: from the cache, every such image; from the store, those kept for snapshots (images added by hand stay)')
    .addOption(snapshotsOption('folder of the snapshots whose pinned images stay'))
    .addOption(registryUpstreamOption())
    .action(async (flags: ImagesFlags & { snapshots: string }) => {
      const [{ pruneImages, shownName }, { formatBytes, snapshotPins }] = await Promise.all([import('../../run/image-store.js'), import('../images-text.js')]);
      const { removed, freed } = await pruneImages(snapshotPins(flags.snapshots), { upstream: flags.registryUpstream });
      for (const { folder, image } of removed) process.stdout.write(`removed ${shownName(image.repository, image.tags[0] ?? image.digest)} ${image.digest} from the ${folder}\n`);
      process.stdout.write(`${removed.length} image${removed.length === 1 ? '' : 's'} removed, ${formatBytes(freed)} freed\n`);
    });
}
