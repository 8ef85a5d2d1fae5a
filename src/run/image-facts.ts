// What a run says of its images: the header line (where each will come from) and, for the snapshot's
// environment, the digest of each image the engine got and where it came from (judge/image-pins.ts).

import { pinEntries, type ImagePin } from '../judge/image-pins.js';
import { usesStandIn } from '../plan/images.js';
import type { Lesson } from '../types.js';
import type { Engine } from './engine.js';

const STAND_IN: ImagePin = { ref: 'alpine:latest', source: 'stand-in' };

/** The run's header line on images, for a private engine that pulls through the registries. */
export function imageHeader(lesson: Lesson, engine: Engine): string | undefined {
  if (!engine.images) return undefined;
  return usesStandIn(lesson) ? `${engine.images.header}, alpine:latest stand-in` : engine.images.header;
}

/** The snapshot's entries for the images the run used: pulled ones by digest, the stand-in by name. */
export function imageFacts(lesson: Lesson, engine: Engine | undefined): Record<string, string> {
  if (engine?.kind !== 'private') return {};
  return pinEntries([...(usesStandIn(lesson) ? [STAND_IN] : []), ...(engine.images?.pulls() ?? [])]);
}
