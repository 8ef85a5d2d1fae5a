import type { Command } from 'commander';

/** `lesson plan <lesson>`: how the page is read; runs nothing. */
export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('print the steps a lesson would run, without running anything')
    .argument('<lesson>', 'lesson name or Markdown file')
    .option('--json', 'print the plan as JSON (see docs/lessons.md)', false)
    .action(async (reference: string, flags: { json: boolean }) => {
      const [{ loadLesson }, { planJson, planText }] = await Promise.all([import('./lessons.js'), import('./plan.js')]);
      const lesson = loadLesson(reference);
      process.stdout.write((flags.json ? planJson(lesson) : planText(lesson)) + '\n');
    });
}
