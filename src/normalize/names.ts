import { valueEnd, valueStart } from './boundary.js';
import { anyOf } from './literal.js';
import { createNumbering } from './numbering.js';
import type { Transform } from './transform.js';

/**
 * The `names` normalizer: container names the engine generated (`hungry_hopper`) become `<name-1>`,
 * `<name-2>`… by first appearance in the run. Only whole names count, so `hungry_hopper2`, which is
 * another container, does not turn into `<name-1>2`. The list may grow while a run goes on (a step
 * creates a container, then prints its name), so it is read again whenever its length changes.
 */
export function replaceNames(names: readonly string[] = []): Transform {
  const number = createNumbering('name');
  let known = -1;
  let pattern: RegExp | undefined;
  return (text) => {
    if (names.length !== known) {
      known = names.length;
      const source = anyOf(names);
      pattern = source === '' ? undefined : new RegExp(`${valueStart}(?:${source})${valueEnd}`, 'g');
    }
    return pattern ? text.replace(pattern, (name) => number(name)) : text;
  };
}
