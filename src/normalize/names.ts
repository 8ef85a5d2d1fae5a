import { valueEnd, valueStart } from './boundary.js';
import { anyOf } from './literal.js';
import { createNumbering } from './numbering.js';
import { unchanged, type Transform } from './transform.js';

/**
 * The `names` normalizer: container names the engine generated (`hungry_hopper`) become `<name-1>`,
 * `<name-2>`… by first appearance in the run. Only whole names count, so `hungry_hopper2`, which is
 * another container, does not turn into `<name-1>2`.
 */
export function replaceNames(names: readonly string[] = []): Transform {
  const source = anyOf(names);
  if (source === '') return unchanged;
  const pattern = new RegExp(`${valueStart}(?:${source})${valueEnd}`, 'g');
  const number = createNumbering('name');
  return (text) => text.replace(pattern, (name) => number(name));
}
