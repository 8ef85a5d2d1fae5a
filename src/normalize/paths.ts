import { anyOf } from './literal.js';
import { unchanged, type Transform } from './transform.js';

/**
 * The `paths` normalizer: the run's temporary directories become fixed words (`<workdir>`). These are
 * exact strings, not patterns, and they go first so the random hex in a temp directory's name is
 * never mistaken for an image ID.
 */
export function replacePaths(paths: Record<string, string> = {}): Transform {
  const source = anyOf(Object.keys(paths));
  if (source === '') return unchanged;
  const pattern = new RegExp(source, 'g');
  // A function, not a string, as replacement: a `$` in a path must not be read as `$1`.
  return (text) => text.replace(pattern, (path) => paths[path] ?? path);
}
