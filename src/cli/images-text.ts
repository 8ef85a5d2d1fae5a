// What `lesson images` prints, and the pins of a folder of snapshots (the images `prune` keeps).

import { existsSync, readdirSync } from 'node:fs';
import { InputError } from '../errors.js';
import { join } from 'node:path';
import { pinsOf } from '../judge/image-pins.js';
import type { Listing } from '../run/image-store.js';
import { shownName } from '../run/image-store.js';
import { readSnapshot } from '../snapshot/store.js';
import { variantsOf } from '../snapshot/variants.js';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** One line per image (where, name, digest, size), then the disk each folder uses. */
export function formatListing(listing: Listing): string {
  const rows: string[][] = [];
  for (const [where, images] of [['store', listing.store], ['cache', listing.cache]] as const) {
    for (const image of images) {
      const names = image.tags.length > 0 ? image.tags.map((tag) => shownName(image.repository, tag)) : [`${shownName(image.repository, image.digest).split('@')[0]} (kept for a snapshot)`];
      for (const name of names) rows.push([where, name, image.digest, formatBytes(image.size)]);
    }
  }
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length), 0));
  const lines = rows.map((row) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  '));
  if (rows.length === 0) lines.push('no images: the store and the cache are empty');
  const { disk } = listing;
  lines.push(`disk: store ${formatBytes(disk.store)}, cache ${formatBytes(disk.cache)} (cache of ${listing.upstream}), ${formatBytes(disk.total)} in all (blobs both hold are counted once)`);
  return `${lines.join('\n')}\n`;
}

/** Every image digest a snapshot in `dir` pins, in any variant. */
export function snapshotPins(dir: string): { ref: string; digest: string }[] {
  if (!existsSync(dir)) throw new InputError(`no snapshots folder ${dir}: prune keeps the images snapshots pin, so it needs them (--snapshots DIR)`);
  const files = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'));
  return files.flatMap((entry) => {
    const file = readSnapshot(join(dir, entry.name));
    if (!file) return [];
    return variantsOf(file).flatMap((variant) => pinsOf(variant.environment).flatMap((pin) => (pin.digest ? [{ ref: pin.ref, digest: pin.digest }] : [])));
  });
}
