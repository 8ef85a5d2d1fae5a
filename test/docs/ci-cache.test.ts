// The image cache in the CI files docs/ci.md shows: kept where the check's engines pull through, keyed
// by the images the pages pull (GitHub) or per parallel job (GitLab). The step that lists the images
// is run for real on pages of the test's, with the built CLI in place of `npm run lesson`.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { cli, root } from '../helpers.js';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
}

const github = parse(readFileSync(join(root, '.github/workflows/lessons.yml'), 'utf8')) as { jobs: { lessons: { steps: Step[] } } };
const gitlab = parse(readFileSync(join(root, 'docs/gitlab-ci.yml'), 'utf8')) as {
  lessons: { parallel: number; variables: Record<string, string>; cache: { key: string; paths: string[] }; script: string[] };
};

describe('GitHub Actions keeps the image cache', () => {
  const steps = github.jobs.lessons.steps;
  const cache = steps.findIndex((step) => step.uses?.startsWith('actions/cache@'));
  const check = steps.findIndex((step) => step.run?.includes(' check '));
  const key = /^lesson-images-\$\{\{ matrix\.shard \}\}-\$\{\{ hashFiles\('([^']+)'\) \}\}$/.exec(steps[cache]?.with?.key ?? '');
  const list = steps.findIndex((step) => key !== null && step.run?.trimEnd().endsWith(`> ${key[1]}`));

  test('where the check pulls through, before the check, keyed per shard by a file an earlier step writes', () => {
    expect(cache).toBeGreaterThanOrEqual(0);
    expect(steps[cache]?.with?.path).toBe('.cache/lesson/registry');
    // The engines pull through $XDG_CACHE_HOME/lesson/registry.
    expect(steps[check]?.run).toContain('XDG_CACHE_HOME="$PWD/.cache"');
    expect(cache).toBeLessThan(check);
    expect(key, steps[cache]?.with?.key).not.toBeNull();
    expect(steps[cache]?.with?.['restore-keys']).toBe('lesson-images-${{ matrix.shard }}-');
    expect(list).toBeGreaterThanOrEqual(0);
    expect(list).toBeLessThan(cache);
  });

  test("the file is the images the pages pull: a new image changes it, an edit of the prose or a command's arguments does not", async () => {
    const line = steps[list]?.run ?? '';
    expect(line).toMatch(/^npm run lesson --silent -- plan /);
    const project = mkdtempSync(join(tmpdir(), 'lesson-ci-cache-'));
    mkdirSync(join(project, 'lessons'));
    const page = (name: string, front: string[], body: string[]) =>
      writeFileSync(join(project, 'lessons', `${name}.md`), ['---', 'requires: [docker]', ...front, '---', '# Page', '', ...body, ''].join('\n'));
    const listed = async () => {
      const run = await execa('bash', ['-c', line.replace('npm run lesson --silent --', `node ${cli}`)], { cwd: project, reject: false, all: true });
      expect(run.exitCode, run.all).toBe(0);
      return readFileSync(join(project, key?.[1] ?? ''), 'utf8');
    };

    page('run', [], ['Say hello.', '', '```console', '$ docker run --rm ubuntu echo hi', '```']);
    page('declared', ['images: [redis]'], ['```console', '$ docker run --rm alpine echo stand-in', '```']);
    page('stand-in', [], ['```console', '$ docker run --rm alpine echo only', '```']);
    const first = await listed();
    expect(first).toBe('redis\nubuntu\n');

    page('run', [], ['Say goodbye, now.', '', '```console', '$ docker run --rm ubuntu echo bye', '```']);
    expect(await listed()).toBe(first);

    page('stand-in', [], ['```console', '$ docker pull jpetazzo/clock', '```']);
    expect(await listed()).toBe('jpetazzo/clock\nredis\nubuntu\n');
  });
});

describe('GitLab CI keeps the image cache', () => {
  test('where the check pulls through, one per parallel job', () => {
    const job = gitlab.lessons;
    expect(job.parallel).toBeGreaterThan(1);
    expect(job.variables.XDG_CACHE_HOME).toBe('$CI_PROJECT_DIR/.cache');
    expect(job.cache.paths).toEqual(['.cache/lesson/registry']);
    expect(job.cache.key).toBe('lesson-images-$CI_NODE_INDEX');
    expect(job.script.join('\n')).toContain('--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"');
  });
});
