import { InvalidArgumentError, type Command } from 'commander';
import { engineOption, networkOption, noSandboxOption, registryUpstreamOption, snapshotsOption } from '../options.js';
import type { HandOverOptions } from '../hand-over.js';

/** `lesson shell <lesson> --until <line>`: where the lesson stands at a line, to try the next command by hand. */
export function defineShell(command: Command): void {
  command
    .description("run a lesson's steps up to a line, then open a shell there, with its engine; leaving the shell removes them")
    .argument('<lesson>', 'lesson name or Markdown file')
    .option('--until <line>', 'run the steps that start at or before this line of the page (default: all of them)', lineNumber)
    .addOption(snapshotsOption('folder of snapshot files the steps are checked against (never written)'))
    .addOption(engineOption())
    .addOption(noSandboxOption())
    .addOption(networkOption())
    .addOption(registryUpstreamOption())
    .option('--bail', 'stop at the first failing step and open the shell there', false)
    .action(async (reference: string, flags: HandOverOptions) => {
      const [{ loadLesson }, { handOverAt }] = await Promise.all([import('../lessons.js'), import('../hand-over.js')]);
      process.exitCode = await handOverAt(loadLesson(reference), flags);
    });
}

function lineNumber(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('a line number of the page, like 42');
  return Number(text);
}
