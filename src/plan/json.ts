import { describeSettings } from '../parse/settings.js';
import type { Lesson, NetworkChoice } from '../types.js';
import { imagesNeeded } from './images.js';
import { lessonNetwork } from './network.js';

/** The fields of a step that `lesson plan --json` shows, in this order: the documented contract (docs/lessons.md). */
const contractFields = ['id', 'kind', 'line', 'path', 'command', 'session', 'input', 'keys', 'expected', 'reason', 'otherEngine', 'background'] as const;

/** The documented JSON contract of `lesson plan --json`; `network` is the command line's `--network`, if given. */
export function planJson(lesson: Lesson, network?: NetworkChoice): string {
  const steps = lesson.steps.map((step) => {
    const fields = new Map<string, unknown>(Object.entries(step));
    return Object.fromEntries(contractFields.filter((field) => fields.get(field) !== undefined).map((field) => [field, fields.get(field)]));
  });
  // `settings` (each with where it came from: the config file, the front matter, the command line) follows the steps: added, not changed.
  return JSON.stringify({ lesson: lesson.path, requires: lesson.requires, inferred: lesson.inferred, network: lessonNetwork(lesson, network), images: imagesNeeded(lesson), steps, settings: describeSettings(lesson.settings) }, null, 2);
}
