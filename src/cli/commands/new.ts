import type { Command } from 'commander';
import { defaultSnapshotsDir } from '../../snapshot/default-dir.js';

/** `lesson new <name>`: a page that runs as it is, to grow step by step. */
export function defineNew(command: Command): void {
  command
    .description('start a lesson: write lessons/<name>.md with its front matter and a first step')
    .argument('<name>', 'the lesson name: letters, digits, - and _ (also the snapshot file name)')
    .option('--title <title>', 'the title shown when it runs (default: from the name)')
    .option('--no-docker', 'a lesson that needs no Docker engine')
    .action(async (name: string, flags: { title?: string; docker: boolean }) => {
      const { createLesson } = await import('../new-lesson.js');
      const path = createLesson(name, flags);
      // Said the way this command was typed: through npm in a clone of the project, or as `lesson` once installed.
      const lesson = process.env.npm_lifecycle_event === 'lesson' ? 'npm run lesson --' : 'lesson';
      process.stdout.write(
        [
          `created ${path}`,
          'next:',
          `  ${lesson} plan ${name}       check how the page is read`,
          `  ${lesson} ${name} -u         run it and record ${defaultSnapshotsDir}/${name}.yaml`,
          `  ${lesson} ${name} --watch    run it again at each save`,
          '',
        ].join('\n'),
      );
    });
}
