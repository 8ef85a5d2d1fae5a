import type { Command } from 'commander';
import type { Lesson, NetworkChoice } from '../../types.js';
import { checkPageOption, networkOption } from '../options.js';

/** `lesson plan <lesson...>`: how pages are read; runs nothing. */
export function definePlan(command: Command): void {
  command
    .description('print the steps lessons would run, without running anything')
    .argument('<lesson...>', 'lesson names or Markdown files')
    .option('--json', 'print the plan as JSON (see docs/lessons.md); an array for several lessons', false)
    .addOption(checkPageOption())
    .addOption(networkOption())
    .action(async (references: string[], flags: { json: boolean; network?: NetworkChoice }) => {
      const [{ loadLesson }, { planJson }, { planText }] = await Promise.all([import('../lessons.js'), import('../../plan/json.js'), import('../plan-text.js')]);
      const lessons = references.map((reference) => loadLesson(reference));
      const text = flags.json
        ? lessons.length === 1 ? planJson(lessons[0] as Lesson, flags.network) : `[\n${lessons.map((lesson) => planJson(lesson, flags.network)).join(',\n')}\n]`
        : lessons.map((lesson) => planText(lesson, flags.network)).join('\n\n');
      process.stdout.write(text + '\n');
    });
}
