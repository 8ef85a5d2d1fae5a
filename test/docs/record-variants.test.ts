// The by-hand jobs that record snapshot variants on CI runners (docs/ci.md, "Variants recorded where
// users run"): they parse, the docs show them as they are, they record (-u) with CI emptied, with
// options the CLI knows, and keep the snapshots as an artifact.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseDocument } from 'yaml';
import { lesson, root } from '../helpers.js';

function read(file: string): { text: string; data: Record<string, unknown> } {
  const text = readFileSync(join(root, file), 'utf8');
  const doc = parseDocument(text);
  expect(doc.errors, file).toEqual([]);
  return { text, data: doc.toJSON() as Record<string, unknown> };
}

/** The words of a `lesson` command line, quotes removed, from `npm run lesson --` on. */
function lessonCommand(line: string): { prefix: string[]; args: string[] } | undefined {
  const words = [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
  const at = words.findIndex((word, i) => word === 'npm' && words[i + 1] === 'run' && words[i + 2] === 'lesson' && words[i + 3] === '--');
  return at < 0 ? undefined : { prefix: words.slice(0, at), args: words.slice(at + 4) };
}

describe('the jobs that record snapshot variants on CI runners', () => {
  const docs = readFileSync(join(root, 'docs/ci.md'), 'utf8');
  let options: string[];
  let builders: string[];
  beforeAll(async () => {
    const help = (await lesson(['check', '--help'])).stdout;
    options = [...help.matchAll(/(?:^|[\s,])(--?[a-z][\w-]*)/gm)].map((m) => m[1] ?? '');
    builders = /--builder <builder>[\s\S]*?\(choices: ([^)]*)\)/.exec(help)?.[1]?.match(/"(\w+)"/g)?.map((choice) => choice.replaceAll('"', '')) ?? [];
  });

  test('GitHub: started by hand only, records with both builders with CI emptied, uploads the snapshots', () => {
    const { text, data } = read('.github/workflows/record-variants.yml');
    expect(docs).toContain(`\`\`\`yaml\n${text}\`\`\``);
    expect(Object.keys(data.on as Record<string, unknown>)).toEqual(['workflow_dispatch']);
    const steps = (data.jobs as { record: { steps: { run?: string; uses?: string; with?: { path?: string } }[] } }).record.steps;
    const commands = steps.flatMap((step) => (step.run ? [lessonCommand(step.run)] : [])).filter((command) => command !== undefined);
    expect(commands).toHaveLength(2);
    for (const { prefix, args } of commands) {
      expect(prefix).toContain('CI=');
      expect(args[0]).toBe('check');
      expect(args).toContain('-u');
      for (const option of args.filter((arg) => arg.startsWith('-'))) expect(options).toContain(option);
      expect(builders).toContain(args[args.indexOf('--builder') + 1]);
    }
    expect(commands.map(({ args }) => args[args.indexOf('--builder') + 1]).sort()).toEqual(['buildkit', 'legacy']);
    const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.with?.path).toContain('snapshots/');
  });

  test('GitLab: a manual job that records with CI emptied and keeps the snapshots', () => {
    const { data } = read('docs/gitlab-ci.yml');
    const job = data['record-variants'] as { when: string; script: string[]; artifacts: { paths: string[] } };
    expect(job.when).toBe('manual');
    const [command] = job.script.map(lessonCommand);
    expect(command?.prefix).toEqual(['CI=']);
    expect(command?.args.slice(0, 2)).toEqual(['check', '-u']);
    for (const option of command?.args.filter((arg) => arg.startsWith('-')) ?? []) expect(options).toContain(option);
    expect(job.artifacts.paths).toContain('snapshots/');
  });
});
