import type { Command } from 'commander';
import { snapshotsOption } from '../options.js';

/** `lesson lint [lesson...]`: what will break or mislead in lessons, with file:line; runs nothing. */
export function defineLint(command: Command): void {
  command
    .description('report what in lessons will break or mislead, as file:line; runs nothing')
    .argument('[lesson...]', 'lesson names or Markdown files (default: every lesson in lessons/)')
    .addOption(snapshotsOption("folder of snapshot files, to compare the pages' outputs with the recorded ones"))
    .action(async (references: string[], flags: { snapshots: string }) => {
      const { lintLessons } = await import('../lint-lessons.js');
      process.exitCode = lintLessons(references, flags.snapshots);
    });
}
