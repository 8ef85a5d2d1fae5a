import type { Command } from 'commander';
import { checkPageOption } from '../options.js';
import type { Lesson } from '../../types.js';

/** `lesson plan <lesson...>`: how pages are read; runs nothing. */
export function definePlan(command: Command): void {
  command
    .description('print the steps lessons would run, without running anything')
    .argument('<lesson...>', 'lesson names or Markdown files')
    .option('--json', 'print the plan as JSON (see docs/lessons.md); an array for several lessons', false)
    .addOption(checkPageOption())
    .action(async (references: string[], flags: { json: boolean }) => {
      const [{ loadLesson }, { planJson }, { planText }] = await Promise.all([import('../lessons.js'), import('../../plan/json.js'), import('../plan-text.js')]);
      const lessons = references.map((reference) => loadLesson(reference));
      const text = flags.json
        ? lessons.length === 1 ? planJson(lessons[0] as Lesson) : `[\n${lessons.map(planJson).join(',\n')}\n]`
        : lessons.map(planText).join('\n\n');
      process.stdout.write(text + '\n');
    });
}
