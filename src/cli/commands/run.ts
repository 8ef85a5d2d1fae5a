import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { builderOption, ciRefusingUpdate, engineOption, noSandboxOption, registryUpstreamOption, snapshotsOption, type SharedFlags } from '../options.js';

export interface RunFlags extends SharedFlags {
  update: boolean;
  bail: boolean;
  watch: boolean;
  builder?: 'legacy' | 'buildkit';
}

/** `lesson [run] <lesson>`: the default command. */
export function defineRun(command: Command): void {
  command
    .description('run a lesson (a name in lessons/ or a path to a Markdown file) and check it against its snapshot')
    .argument('<lesson>', 'lesson name or Markdown file')
    .option('-u, --update', 'record new outputs and update the snapshot', false)
    .addOption(snapshotsOption())
    .addOption(engineOption())
    .addOption(noSandboxOption())
    .addOption(builderOption())
    .addOption(registryUpstreamOption())
    .option('--bail', 'stop at the first failing step', false)
    .option('--watch', 'run again whenever the page or its snapshot changes, until Ctrl-C', false)
    .action(async (reference: string, flags: RunFlags) => {
      if (flags.builder) {
        const { useBuilder } = await import('../../run/builder.js');
        await useBuilder(flags.builder, { record: (builder) => `lesson run ${reference} -u --builder ${builder}` });
      }
      const { update, snapshots, engine, bail, sandbox, registryUpstream } = flags;
      const options = { update, snapshots, engine, bail, sandbox, registryUpstream, builder: flags.builder ?? ('auto' as const), ci: ciRefusingUpdate(update) };
      if (flags.watch) {
        const { watchLesson } = await import('../watch-lesson.js');
        return watchLesson(reference, options);
      }
      // Loaded on demand: `--version` and other commands never pay for the parser's or the runner's modules.
      const [{ loadLesson }, { verifyLesson }, { ConsoleReporter }] = await Promise.all([
        import('../lessons.js'),
        import('../../pipeline/verify-lesson.js'),
        import('../../report/console.js'),
      ]);
      const lesson = loadLesson(reference);
      if (lesson.requires.length > 0) {
        // Said once, before anything starts, rather than as a step failing on a missing program.
        const { Requirements } = await import('../../run/requirements.js');
        const missing = await new Requirements(engine, registryUpstream).missing(lesson.requires, lesson.settings.images);
        if (missing) throw new InputError(`cannot run here: ${missing}`, lesson.path);
      }
      const report = await verifyLesson(lesson, options, new ConsoleReporter());
      process.exitCode = report.status === 'failed' ? 1 : 0;
    });
}
