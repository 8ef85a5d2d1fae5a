import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { InputError } from '../errors.js';
import { configuredFiles } from './config-file.js';
import { isPage, lessonsDir, listLessons, resolveLesson } from './lessons.js';

/**
 * `check`'s arguments → Markdown files, sorted, each once. An argument is a lesson name, a file, a
 * folder (its pages) or a glob; no argument means every page in lessons/.
 */
export function selectLessons(references: string[], dir = lessonsDir): string[] {
  const paths = references.length > 0 ? references.flatMap((reference) => expand(reference, dir)) : everyLesson(dir);
  const byFile = new Map<string, string>();
  for (const path of paths) if (!byFile.has(resolve(path))) byFile.set(resolve(path), path);
  return [...byFile.values()].sort();
}

function everyLesson(dir: string): string[] {
  const configured = configuredFiles();
  if (configured) {
    const pages = configured.files.filter(isPage);
    if (pages.length === 0) throw new InputError('the lessons globs of the config file match no Markdown file', configured.source);
    return pages;
  }
  const names = listLessons(dir);
  if (names.length === 0) throw new InputError(`no lessons in ${resolve(dir)}`);
  return names.map((name) => resolveLesson(name, dir));
}

function expand(reference: string, dir: string): string[] {
  if (isDynamicPattern(reference)) {
    const found = globSync(reference, { onlyFiles: true, absolute: isAbsolute(reference) }).filter(isPage);
    if (found.length === 0) throw new InputError(`no Markdown file matches ${reference}`);
    return found;
  }
  if (existsSync(reference) && statSync(reference).isDirectory()) {
    const found = readdirSync(reference).filter(isPage).map((name) => join(reference, name));
    if (found.length === 0) throw new InputError(`no Markdown file in ${reference}`);
    return found;
  }
  return [resolveLesson(reference, dir)];
}

/** `--shard i/n`: the i-th of n parts, 1-based as CI matrices count. */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new InputError(`--shard takes i/n with 1 ≤ i ≤ n, like 2/3; got "${text}"`);
  }
  return { index, count };
}

/**
 * The lessons of one shard. Dealt round-robin over the sorted list, so every machine of a matrix
 * computes the same parts from the same files, and their sizes differ by one at most.
 */
export function inShard(paths: string[], { index, count }: Shard): string[] {
  return [...paths].sort().filter((_, i) => i % count === index - 1);
}
