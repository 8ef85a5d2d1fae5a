import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readPage, type Page, type ReadOptions } from '../parse/page.js';
import { decodeUtf8, maxPageBytes } from '../parse/text.js';
import { planLesson } from '../plan/index.js';
import type { Lesson } from '../types.js';
import { InputError } from '../errors.js';
import { configuredFiles, pageSettings } from './config-file.js';

export const lessonsDir = 'lessons';

const pageExtension = /\.(md|markdown)$/i;

/** Whether a file name or path is a Markdown page. */
export function isPage(path: string): boolean {
  return pageExtension.test(path);
}

/** lessons/layers.md → `layers`: also the name of its snapshot file. */
export function lessonName(path: string): string {
  return basename(path).replace(pageExtension, '');
}

/** `layers` → lessons/layers.md; a path to any Markdown file works the same way. */
export function resolveLesson(reference: string, dir = lessonsDir): string {
  if (isPage(reference) || reference.includes('/')) {
    if (!existsSync(reference)) throw new InputError('no such file', reference);
    return reference;
  }
  const path = join(dir, `${reference}.md`);
  if (existsSync(path)) return path;
  // A name among the pages the config file's `lessons` globs find (docs/**/*.md).
  const configured = configuredLessons()?.find((file) => lessonName(file) === reference);
  if (configured) return configured;
  // The other spellings listLessons names: layers.markdown, layers.MD.
  const page = existsSync(dir) ? readdirSync(dir).find((file) => isPage(file) && lessonName(file) === reference) : undefined;
  if (page) return join(dir, page);
  const known = listLessons(dir);
  throw new InputError(
    `unknown lesson "${reference}"; ${known.length ? `lessons in ${dir}/: ${known.join(', ')}` : `no lessons in ${resolve(dir)}`}`,
  );
}

/** The pages the config file's `lessons` globs find; undefined when it has no `lessons`. */
export function configuredLessons(): string[] | undefined {
  return configuredFiles()?.files.filter(isPage);
}

export function listLessons(dir = lessonsDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(isPage).map(lessonName).sort();
}

export function loadLesson(reference: string, dir = lessonsDir): Lesson {
  return planLesson(readLessonPage(resolveLesson(reference, dir)));
}

/** Reads and parses a page file; what cannot be read (huge, not UTF-8, absurdly nested) is an InputError naming it. */
export function readLessonPage(path: string, options?: ReadOptions): Page {
  let bytes: Buffer;
  try {
    const stats = statSync(path);
    // A device or a pipe would be read forever.
    if (!stats.isFile()) throw new InputError('not a regular file', path);
    const mib = (count: number) => `${+(count / 2 ** 20).toFixed(1)} MiB`;
    if (stats.size > maxPageBytes) throw new InputError(`${mib(stats.size)} is too large for a page (the limit is ${mib(maxPageBytes)})`, path);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, path);
  }
  try {
    return readPage(decodeUtf8(bytes, path), path, lessonName(path), { ...pageSettings(), ...options });
  } catch (error) {
    // Nesting the line check cannot see (emphasis inside emphasis...) can still exhaust the parser's stack.
    if (error instanceof RangeError) throw new InputError(`nested too deeply to read (${error.message})`, path);
    throw error;
  }
}
