// Images pinned by a snapshot. Its environment records, for each image a run got, the digest and where
// it came from, one key per image: `image ubuntu:latest: sha256:… (cache)`, `image alpine:latest:
// stand-in`. A check asks for the same digests (src/run/image-relay.ts); `-u` records what the sources
// give now. Where an image came from changes from run to run (the first from upstream, the next from
// the cache) without changing the image: only the digest counts as a change. Pure: no I/O.

import type { EnvironmentChange } from './verdict.js';

/** Where an image came from: the store, the cache (already held), the upstream (through the cache), the busybox stand-in. */
export type ImageSource = 'store' | 'cache' | 'upstream' | 'stand-in';

export interface ImagePin {
  /** As docker names it: `ubuntu:latest`, `jpetazzo/clock:latest`. */
  ref: string;
  /** The manifest's digest (an engine's RepoDigest); none for the stand-in, built on each machine. */
  digest?: string;
  source: ImageSource;
}

const PREFIX = 'image ';
const VALUE = /^(sha256:[0-9a-f]{64}) \((store|cache|upstream)\)$/;

export function pinKey(ref: string): string {
  return `${PREFIX}${ref}`;
}

export function pinValue(pin: ImagePin): string {
  return pin.digest ? `${pin.digest} (${pin.source})` : pin.source;
}

/** `ubuntu` → `ubuntu:latest`, `library/redis:7` → `redis:7`: one name per image, as docker prints it. */
export function familiarRef(image: string): string {
  const named = image.replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
  if (named.includes('@')) return named;
  return named.lastIndexOf(':') > named.lastIndexOf('/') ? named : `${named}:latest`;
}

/** The images an environment pins, in its order; entries that are not pins are left out. */
export function pinsOf(environment: Record<string, string>): ImagePin[] {
  const pins: ImagePin[] = [];
  for (const [key, value] of Object.entries(environment)) {
    if (!key.startsWith(PREFIX)) continue;
    const ref = key.slice(PREFIX.length);
    if (value === 'stand-in') pins.push({ ref, source: 'stand-in' });
    const match = VALUE.exec(value);
    if (match) pins.push({ ref, digest: match[1]!, source: match[2] as ImageSource });
  }
  return pins;
}

/** Tag → digest for the registry images an environment pins: what a check asks the registries for. */
export function pinnedDigests(environment: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(pinsOf(environment ?? {}).flatMap((pin) => (pin.digest ? [[pin.ref, pin.digest]] : [])));
}

/** The environment's entries for `pins`, to add to what the engine says of itself. */
export function pinEntries(pins: ImagePin[]): Record<string, string> {
  return Object.fromEntries(pins.map((pin) => [pinKey(pin.ref), pinValue(pin)]));
}

/** Whether two values of one environment key mean the same: for an image, the same digest wherever it came from. */
export function sameEnvironmentValue(key: string, recorded: string | undefined, actual: string | undefined): boolean {
  if (recorded === actual) return true;
  if (!key.startsWith(PREFIX) || recorded === undefined || actual === undefined) return false;
  const digest = (value: string) => VALUE.exec(value)?.[1] ?? value;
  return digest(recorded) === digest(actual);
}

/**
 * Whether a change is worth telling: a snapshot recorded before images were pinned names none, and
 * hearing of each image on every run would say nothing about a mismatch. `-u` writes them all the same.
 */
export function worthTelling(recorded: Record<string, string>): (change: EnvironmentChange) => boolean {
  const pinsAny = Object.keys(recorded).some((key) => key.startsWith(PREFIX));
  return (change) => pinsAny || !change.key.startsWith(PREFIX);
}
