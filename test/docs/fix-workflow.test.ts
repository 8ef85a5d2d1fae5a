// The scheduled workflow docs/lessons.md shows ("Keep a tutorial true"): it parses, the docs show it as
// it is, it runs `lesson fix` with options the CLI knows, then opens a pull request with the pages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDocument } from 'yaml';
import { lesson, root } from '../helpers.js';

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, string>;
}

describe('the workflow that fixes the pages on a schedule', () => {
  const text = readFileSync(join(root, 'docs/fix-pages.yml'), 'utf8');
  const doc = parseDocument(text);
  const data = doc.toJSON() as { on: Record<string, unknown>; permissions: Record<string, string>; jobs: { fix: { steps: Step[] } } };

  test('parses, and docs/lessons.md shows it as it is', () => {
    expect(doc.errors).toEqual([]);
    expect(readFileSync(join(root, 'docs/lessons.md'), 'utf8')).toContain(`\`\`\`yaml\n${text}\`\`\``);
  });

  test('on a schedule (and by hand), runs lesson fix with options it has, then opens a pull request allowed to write', async () => {
    expect(Object.keys(data.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect((data.on.schedule as { cron: string }[])[0]?.cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(data.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    const { steps } = data.jobs.fix;
    const fixAt = steps.findIndex((step) => /npm run lesson -- fix\b/.test(step.run ?? ''));
    const prAt = steps.findIndex((step) => step.uses?.startsWith('peter-evans/create-pull-request@'));
    expect(fixAt).toBeGreaterThan(0);
    expect(prAt).toBeGreaterThan(fixAt);
    const args = (steps[fixAt]?.run ?? '').split('npm run lesson -- ')[1]?.split(' || ')[0]?.split(/\s+/) ?? [];
    const help = (await lesson([args[0] ?? '', '--help'])).stdout;
    expect(help).toContain('Usage: lesson fix');
    for (const option of args.filter((arg) => arg.startsWith('-'))) expect(help).toContain(option);
    expect(steps[prAt]?.with?.branch).toBeTruthy();
  });
});
