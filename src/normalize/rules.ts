import type { NormalizeSettings } from '../types.js';
import type { Transform } from './transform.js';

/**
 * A lesson's own `normalize.rules`, applied after every built-in so they can also rewrite
 * placeholders. Patterns are compiled with `g` and `m`: every match is replaced, and `^`/`$` mean the
 * start and end of a line, which is what a rule about command output nearly always wants.
 *
 * All patterns are compiled before any text is touched, so a bad one fails the run up front, even
 * when there is nothing to normalize, and the message names it so the author can find it.
 */
export function customRules(rules: NormalizeSettings['rules']): Transform {
  const compiled = rules.map(({ pattern, replace }) => {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern, 'gm');
    } catch (error) {
      throw new Error(`invalid normalize rule pattern ${JSON.stringify(pattern)}: ${(error as Error).message}`);
    }
    return (text: string) => text.replace(regex, replace);
  });
  return (text) => compiled.reduce((result, apply) => apply(result), text);
}
