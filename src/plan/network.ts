import type { Lesson, NetworkChoice } from '../types.js';

/**
 * The network a run of the lesson gives its private engine and that engine's containers: the command
 * line's `--network` when given, else the page's `network:`, else none. The lesson's shell is not
 * governed by it: it runs in the host's network, as the reader's own terminal does.
 */
export function lessonNetwork(lesson: Lesson, flag?: NetworkChoice): NetworkChoice {
  return flag ?? lesson.settings.network ?? 'none';
}
