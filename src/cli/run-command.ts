import type { Command } from 'commander';
import type { EngineChoice } from '../run/requirements.js';
import { builderOption, engineOption, snapshotsOption } from './options.js';
import { InputError } from '../types.js';

export interface RunFlags {
  update: boolean;
  snapshots: string;
  engine: EngineChoice;
  bail: boolean;
  watch: boolean;
  builder?: 'legacy' | 'buildkit';
}

/** `lesson [run] <lesson>`: the default command. */
export function registerRun(program: Command): void {
  program
    .command('run', { isDefault: true })
    .description('run a lesson (a name in lessons/ or a path to a Markdown file) and check it against its snapshot')
    .argument('<lesson>', 'lesson name or Markdown file')
    .option('-u, --update', 'record new outputs and update the snapshot', false)
    .addOption(snapshotsOption())
    .addOption(engineOption())
    .addOption(builderOption())
    .option('--bail', 'stop at the first failing step', false)
    .option('--watch', 'run again whenever the page or its snapshot changes, until Ctrl-C', false)
    .action(async (reference: string, flags: RunFlags) => {
      if (flags.builder) {
        const { useBuilder } = await import('../run/builder.js');
        await useBuilder(flags.builder, { record: (builder) => `lesson run ${reference} -u --builder ${builder}` });
      }
      if (flags.watch) {
        const { watchLesson } = await import('./watch.js');
        return watchLesson(reference, { ...flags, ci: isCi() });
      }
      // Loaded on demand: `--version` and other commands never pay for the parser's or the runner's modules.
      const [{ loadLesson }, { runAndCheck }] = await Promise.all([import('./lessons.js'), import('./run.js')]);
      const lesson = loadLesson(reference);
      if (lesson.settings.requires.length > 0) {
        // Said once, before anything starts, rather than as a step failing on a missing program.
        const { Requirements } = await import('../run/requirements.js');
        const missing = await new Requirements(flags.engine).missing(lesson.settings.requires);
        if (missing) throw new InputError(`cannot run here: ${missing}`, lesson.path);
      }
      process.exitCode = await runAndCheck(lesson, { ...flags, builder: flags.builder ?? 'auto', ci: isCi() });
    });
}

export function isCi(): boolean {
  return Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
}
