import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { builderOption, engineOption, noSandboxOption, snapshotsOption } from '../options.js';
import type { FixFlags } from '../fix-pages.js';

/** `lesson fix [lesson|glob ...]`: runs pages and writes what really ran under their commands, in the Markdown itself. */
export function defineFix(command: Command): void {
  command
    .description('run pages and write, in the page itself, what really ran under each command whose output no longer matches; no argument: every lesson')
    .argument('[lessons...]', 'lesson names, Markdown files, folders or globs')
    .option('--dry-run', 'print the diff of each page and write nothing', false)
    .option('-i, --interactive', 'ask at each block: y(es), n(o), a(ll the rest), q(uit); needs a terminal', false)
    .option('--add-missing', 'also write the output of commands under which the page shows none', false)
    .addOption(snapshotsOption('folder of snapshot files the steps with no output on the page are checked against (never written)'))
    .addOption(engineOption())
    .addOption(noSandboxOption())
    .addOption(builderOption())
    .action(async (references: string[], flags: FixFlags) => {
      // Refused before anything runs: the questions come after the run, and nobody could answer them.
      if (flags.interactive && !process.stdin.isTTY) throw new InputError('-i asks at each block and needs a terminal, but stdin is not one: use --dry-run to see the changes, or leave -i out to make them all');
      if (flags.interactive && flags.dryRun) throw new InputError('-i and --dry-run: choose one (--dry-run writes nothing, so there is nothing to ask)');
      if (flags.builder) {
        const { useBuilder } = await import('../../run/builder.js');
        await useBuilder(flags.builder);
      }
      const [{ selectLessons }, { fixPages }] = await Promise.all([import('../select.js'), import('../fix-pages.js')]);
      process.exitCode = await fixPages(selectLessons(references), flags);
    });
}
