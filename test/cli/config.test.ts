// The config file for real: found from a subfolder, its lessons, snapshots and reports used by
// commands run anywhere under it, overridden by the command line; package.json's "lesson" key; errors
// with the file and line.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { dockerSkipReason, lesson } from '../helpers.js';

/** A docs repository: its config at the top, pages two folders down. */
function repository(config: string, file = 'lesson.config.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-config-'));
  writeFileSync(join(dir, file), config);
  mkdirSync(join(dir, 'docs/guide'), { recursive: true });
  writeFileSync(join(dir, 'docs/guide/hello.md'), '---\ntimeout: 5s\nrequires: [sh]\n---\n# Hello\n\n```console\n$ echo "hello $((6 * 7))"\nhello 42\n$ echo no-page-output\n```\n');
  writeFileSync(join(dir, 'docs/other.md'), '# Other\n\n```console\n$ echo other\n```\n');
  writeFileSync(join(dir, 'docs/notes.txt'), 'not a page\n');
  return dir;
}

const config = ['lessons: docs/**/*.md', 'snapshots: snaps', 'reporters: [junit=reports/junit.xml]', 'timeout: 30s', 'requires: [bash]', 'check-page: false', ''].join('\n');

describe('lesson.config.yaml', () => {
  test('found from a subfolder: a page by name among its lessons, its settings with where each came from', async () => {
    const dir = repository(config);
    const plan = await lesson(['plan', 'hello', '--json'], { cwd: join(dir, 'docs/guide') });
    expect(plan.stderr).toBe('');
    const json = JSON.parse(plan.stdout) as { lesson: string; requires: string[]; steps: unknown[]; settings: Record<string, { value: unknown; from: unknown }> };
    expect(json.lesson).toBe('hello.md');
    expect(json.requires).toEqual(['bash', 'sh']);
    expect(json.settings).toMatchObject({
      timeout: { value: '5s', from: 'hello.md:2' },
      requires: { value: ['bash', 'sh'], from: ['../../lesson.config.yaml:5', 'hello.md:3'] },
      'check-page': { value: false, from: '../../lesson.config.yaml:6' },
      title: { value: null, from: 'default' },
    });
    // The command line over both.
    const flagged = JSON.parse((await lesson(['plan', 'hello', '--json', '--check-page'], { cwd: join(dir, 'docs/guide') })).stdout) as typeof json;
    expect(flagged.settings['check-page']).toEqual({ value: true, from: 'command line' });
  });

  test('check with no argument, from a subfolder: the config\'s lessons, snapshots and reports, in the config\'s folder', async () => {
    const dir = repository(config);
    const check = await lesson(['check'], { cwd: join(dir, 'docs/guide') });
    expect(check.exitCode).toBe(0);
    expect(existsSync(join(dir, 'snaps/hello.yaml'))).toBe(true);
    expect(existsSync(join(dir, 'snaps/other.yaml'))).toBe(true);
    const junit = readFileSync(join(dir, 'reports/junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="hello" file="hello.md" tests="2"');
    expect(junit).toContain('<testsuite name="other" file="../other.md" tests="1"');
    // --snapshots on the command line wins over the config.
    const elsewhere = await lesson(['run', 'hello', '--snapshots', join(dir, 'elsewhere')], { cwd: dir });
    expect(elsewhere.exitCode).toBe(0);
    expect(existsSync(join(dir, 'elsewhere/hello.yaml'))).toBe(true);
  });

  test('package.json\'s "lesson" key, when there is no lesson.config.yaml', async () => {
    const dir = repository(JSON.stringify({ name: 'docs', private: true, lesson: { lessons: 'docs/**/*.md', snapshots: 'from-package' } }, null, 2), 'package.json');
    const run = await lesson(['run', 'other'], { cwd: join(dir, 'docs') });
    expect(run.exitCode).toBe(0);
    expect(existsSync(join(dir, 'from-package/other.yaml'))).toBe(true);
  });

  test('an unknown key, or the engine chosen in the file: exit 2, naming the file and line', async () => {
    const unknown = repository('snapshots: snaps\nlessons: docs/**/*.md\nparallel: 4\n');
    const bad = await lesson(['plan', 'hello'], { cwd: join(unknown, 'docs/guide') });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('../../lesson.config.yaml:3: unknown key "parallel"; known: lessons, snapshots, jobs');
    const engine = repository('lessons: docs/**/*.md\nengine: host\n');
    const refused = await lesson(['check'], { cwd: engine });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('lesson.config.yaml:2: "engine": the engine is chosen on the command line only (--engine host)');
    const reporter = repository('reporters: [default, tap]\n');
    const noTap = await lesson(['check', 'docs'], { cwd: reporter });
    expect(noTap.exitCode).toBe(2);
    expect(noTap.stderr).toContain('lesson.config.yaml:1: "reporters": unknown reporter "tap"');
  });

  test.skipIf(dockerSkipReason())('registry-upstream: the image upstream, unless LESSON_REGISTRY_UPSTREAM names one', async () => {
    const dir = repository('lessons: docs/guide/*.md\nrequires: [docker]\nimages: [no-such-image-for-lesson-tests]\nregistry-upstream: http://127.0.0.1:5\n');
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const fromConfig = await lesson(['check'], { cwd: dir, env: { ...env, LESSON_REGISTRY_UPSTREAM: '' } });
    expect(fromConfig.stdout).toMatch(/skipped: image no-such-image-for-lesson-tests .* http:\/\/127\.0\.0\.1:5 does not answer/);
    const fromEnv = await lesson(['check'], { cwd: dir, env: { ...env, LESSON_REGISTRY_UPSTREAM: 'http://127.0.0.1:4' } });
    expect(fromEnv.stdout).toMatch(/http:\/\/127\.0\.0\.1:4 does not answer/);
  });
});
