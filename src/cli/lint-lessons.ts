import pc from 'picocolors';
import { formatFinding, lintLesson, type Finding } from '../lint/index.js';
import { planLesson } from '../plan/index.js';
import { readSnapshot, snapshotPath } from '../snapshot/store.js';
import { InputError } from '../errors.js';
import { configuredLessons, listLessons, readLessonPage, resolveLesson } from './lessons.js';

/** Lints the lessons named (all of lessons/ when none), prints each finding, and returns the exit code: 1 on any error. */
export function lintLessons(references: string[], snapshots: string, out: NodeJS.WritableStream = process.stdout): number {
  const paths = (references.length > 0 ? references : (configuredLessons() ?? listLessons())).map((reference) => resolveLesson(reference));
  const found = paths.flatMap((path) => lintFile(path, snapshots).map((finding) => ({ path, finding })));
  for (const { path, finding } of found) out.write(colour(formatFinding(path, finding), finding) + '\n');
  const errors = found.filter(({ finding }) => finding.severity === 'error').length;
  const warnings = found.length - errors;
  const lessons = `${paths.length} lesson${paths.length === 1 ? '' : 's'}`;
  out.write(found.length === 0 ? `no problem found in ${lessons}\n` : `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${lessons}\n`);
  return errors > 0 ? 1 : 0;
}

function lintFile(path: string, snapshots: string): Finding[] {
  try {
    const page = readLessonPage(path, { lenient: true });
    return lintLesson({ lesson: planLesson(page), problems: page.problems, recorded: readSnapshot(snapshotPath(page.name, snapshots)) });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // What even a lenient read cannot get past is this lesson's finding: the other lessons are still linted.
    const inPage = error.file === path;
    return [{ line: (inPage && error.line) || 1, severity: 'error', message: inPage ? error.message : error.describe(), rule: 'unreadable' }];
  }
}

function colour(line: string, finding: Finding): string {
  return line.replace(`: ${finding.severity}: `, `: ${finding.severity === 'error' ? pc.red('error') : pc.yellow('warning')}: `);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
