import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { builderOption, checkPageOption, ciRefusingUpdate, engineOption, networkOption, noSandboxOption, registryUpstreamOption, snapshotsOption, type SharedFlags } from '../options.js';

interface CheckFlags extends SharedFlags {
  jobs?: number;
  shard?: string;
  update: boolean;
  skip: boolean;
  reporter?: string[];
  builder?: 'legacy' | 'buildkit';
  silent: boolean;
}

/** `lesson check [lesson|glob ...]`: many lessons, in parallel, with reports for CI systems and people. */
export function defineCheck(command: Command): void {
  command
    .description('check lessons in parallel, each on its own private engine; no argument: every page in lessons/')
    .argument('[lessons...]', 'lesson names, Markdown files, folders or globs')
    .option('--jobs <n>', 'how many lessons run at once (default: the number of cores)', positiveInteger)
    .option('--shard <i/n>', 'check only the i-th of n parts (1-based), for a CI matrix')
    .option('-u, --update', 'record new outputs and update the snapshots; removes obsolete entries', false)
    .addOption(snapshotsOption())
    .addOption(engineOption('Docker engine for lessons that need one (host: one lesson at a time)'))
    .addOption(noSandboxOption())
    .addOption(networkOption())
    .addOption(builderOption())
    .addOption(checkPageOption())
    .addOption(registryUpstreamOption())
    .option('--no-skip', 'fail a lesson whose requirements are missing, instead of skipping it')
    .option('--reporter <name[=file]>', 'default, junit, json, github, html; repeatable; with =FILE, written there', collect)
    .option('--silent', 'no progress on stdout when every report goes to a file', false)
    .action(async (references: string[], flags: CheckFlags) => {
      const ci = ciRefusingUpdate(flags.update);
      if (flags.builder) {
        const { useBuilder } = await import('../../run/builder.js');
        await useBuilder(flags.builder, { record: (builder) => `lesson check ${references.join(' ')} -u --builder ${builder}`.replace('  ', ' ') });
      }
      // Loaded on demand: other commands never pay for the reporters' and the runner's modules.
      const [{ inShard, parseShard, selectLessons }, { checkLessons }, { chooseReporters }] = await Promise.all([
        import('../select.js'),
        import('../check-lessons.js'),
        import('../../report/choose.js'),
      ]);
      const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
      const reporter = chooseReporters(flags.reporter ?? [], { silent: flags.silent });
      const selected = selectLessons(references);
      const paths = shard ? inShard(selected, shard) : selected;
      const { jobs = availableParallelism(), update, snapshots, engine, skip, sandbox, network, registryUpstream } = flags;
      process.exitCode = await checkLessons(paths, { jobs, update, snapshots, engine, skip, sandbox, network, ci, registryUpstream }, reporter);
    });
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
