import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { builderOption, checkPageOption, ciRefusingUpdate, engineOption, networkOption, noSandboxOption, registryUpstreamOption, snapshotsOption, type SharedFlags } from '../options.js';

export interface RunFlags extends SharedFlags {
  update: boolean;
  bail: boolean;
  watch: boolean;
  builder?: 'legacy' | 'buildkit';
  step: string[];
  stepsMatching?: string;
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
    .addOption(networkOption())
    .addOption(builderOption())
    .addOption(checkPageOption())
    .addOption(registryUpstreamOption())
    .option('--bail', 'stop at the first failing step', false)
    .option('--watch', 'run again whenever the page or its snapshot changes, until Ctrl-C', false)
    .option('--step <id>', 'with -u: record only this step (repeatable); the other entries stay as they are', collect, [])
    .option('-t, --steps-matching <pattern>', 'with -u: record only the steps whose id or command this regular expression matches')
    .action(async (reference: string, flags: RunFlags) => {
      if (flags.builder) {
        const { useBuilder } = await import('../../run/builder.js');
        await useBuilder(flags.builder, { record: (builder) => `lesson run ${reference} -u --builder ${builder}` });
      }
      const { update, snapshots, engine, bail, sandbox, network, registryUpstream } = flags;
      const choice = { ids: flags.step, pattern: flags.stepsMatching };
      if (!update && (choice.ids.length > 0 || choice.pattern !== undefined)) throw new InputError('--step and -t choose the steps -u records: add -u');
      const options = { update, snapshots, engine, bail, sandbox, network, registryUpstream, builder: flags.builder ?? ('auto' as const), ci: ciRefusingUpdate(update) };
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
      const { chosenSteps } = await import('../../judge/records.js');
      const records = chosenSteps(lesson, choice);
      if (lesson.requires.length > 0) {
        // Said once, before anything starts, rather than as a step failing on a missing program.
        const { Requirements } = await import('../../run/requirements.js');
        const missing = await new Requirements(engine, registryUpstream).missing(lesson.requires, lesson.settings.images);
        if (missing) throw new InputError(`cannot run here: ${missing}`, lesson.path);
      }
      const report = await verifyLesson(lesson, { ...options, ...(records && { records }) }, new ConsoleReporter());
      process.exitCode = report.status === 'failed' ? 1 : 0;
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
