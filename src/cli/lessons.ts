import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readPage } from '../parse/page.js';
import { planLesson } from '../plan/index.js';
import { InputError, type Lesson } from '../types.js';

export const lessonsDir = 'lessons';

/** `layers` → lessons/layers.md; a path to any Markdown file works the same way. */
export function resolveLesson(reference: string, dir = lessonsDir): string {
  if (/\.(md|markdown)$/i.test(reference) || reference.includes('/')) {
    if (!existsSync(reference)) throw new InputError('no such file', reference);
    return reference;
  }
  const path = join(dir, `${reference}.md`);
  if (existsSync(path)) return path;
  const known = listLessons(dir);
  throw new InputError(
    `unknown lesson "${reference}"; ${known.length ? `lessons in ${dir}/: ${known.join(', ')}` : `no lessons in ${resolve(dir)}`}`,
  );
}

export function listLessons(dir = lessonsDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.md')).map((f) => f.replace(/\.md$/, '')).sort();
}

export function loadLesson(reference: string, dir = lessonsDir): Lesson {
  const path = resolveLesson(reference, dir);
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, path);
  }
  return planLesson(readPage(source, path, basename(path).replace(/\.(md|markdown)$/i, '')));
}
