// The config file, read purely: its keys, its errors with file and line, and the layers a page's
// settings are made of (defaults, config, front matter, command line), each value with its origin.
import { describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readConfig, readPackageConfig } from '../../src/parse/config.js';
import { readPage } from '../../src/parse/page.js';
import { defaultSettings, describeSettings, layered } from '../../src/parse/settings.js';

function error(read: () => unknown): string {
  try {
    read();
  } catch (caught) {
    if (caught instanceof InputError) return caught.describe();
    throw caught;
  }
  throw new Error('no error');
}

const config = [
  'lessons: docs/**/*.md',
  'snapshots: docs/snapshots',
  'jobs: 3',
  'reporters: [default, junit=reports/junit.xml]',
  'builder: buildkit',
  'registry-upstream: https://mirror.example.com',
  'timeout: 30s',
  'requires: [docker, jq]',
  'prompts: ["➜ "]',
  'normalize:',
  '  rules: [{ pattern: "took \\\\d+ms", replace: "took <ms>" }]',
  'check-page: true',
  'images: [ubuntu]',
].join('\n');

describe('lesson.config.yaml', () => {
  test('every key, each with its line', () => {
    const read = readConfig(config, 'lesson.config.yaml');
    expect(read.lessons).toEqual({ value: ['docs/**/*.md'], line: 1 });
    expect(read.snapshots).toEqual({ value: 'docs/snapshots', line: 2 });
    expect(read.jobs).toEqual({ value: 3, line: 3 });
    expect(read.reporters).toEqual({ value: ['default', 'junit=reports/junit.xml'], line: 4 });
    expect(read.builder).toEqual({ value: 'buildkit', line: 5 });
    expect(read.registryUpstream).toEqual({ value: 'https://mirror.example.com', line: 6 });
    expect(read.pages).toMatchObject({ timeoutMs: 30_000, requires: ['docker', 'jq'], prompts: ['➜ '], rules: [{ pattern: 'took \\d+ms', replace: 'took <ms>' }], checkPage: true, images: ['ubuntu'] });
    expect(read.pages.origins).toMatchObject({ timeout: 'lesson.config.yaml:7', requires: 'lesson.config.yaml:8', 'normalize.rules': 'lesson.config.yaml:10', 'check-page': 'lesson.config.yaml:12' });
  });

  test('an unknown key, a bad value, the engine or the sandbox: an error naming the file and line', () => {
    expect(error(() => readConfig('jobs: 2\nlesons: docs/*.md\n', 'lesson.config.yaml'))).toMatch(/^lesson\.config\.yaml:2: unknown key "lesons"; known: lessons, snapshots/);
    expect(error(() => readConfig('jobs: 0\n', 'cfg/lesson.config.yaml'))).toBe('cfg/lesson.config.yaml:1: "jobs" must be a whole number of at least 1');
    expect(error(() => readConfig('timeout: 2m\nengine: host\n', 'lesson.config.yaml'))).toBe('lesson.config.yaml:2: "engine": the engine is chosen on the command line only (--engine host), never by a config file');
    expect(error(() => readConfig('\n\nsandbox: false\n', 'lesson.config.yaml'))).toMatch(/^lesson\.config\.yaml:3: "sandbox": the sandbox is turned off on the command line only/);
    expect(error(() => readConfig('title: Docs\n', 'lesson.config.yaml'))).toMatch(/^lesson\.config\.yaml:1: "title": a title is a page's own/);
    expect(error(() => readConfig('normalize:\n  disable: [nope]\n', 'lesson.config.yaml'))).toMatch(/^lesson\.config\.yaml:2: "normalize": unknown normalizer "nope"/);
    expect(error(() => readConfig('jobs: [\n', 'lesson.config.yaml'))).toMatch(/^lesson\.config\.yaml:\d+: not a readable config file/);
  });

  test('package.json: the "lesson" key, its lines those of package.json; none without the key', () => {
    const pkg = '{\n  "name": "docs",\n  "lesson": {\n    "snapshots": "snaps",\n    "timeout": "10s",\n    "engine": "host"\n  }\n}\n';
    expect(error(() => readPackageConfig(pkg, 'package.json'))).toMatch(/^package\.json:6: "engine": the engine is chosen on the command line only/);
    const fine = readPackageConfig(pkg.replace(',\n    "engine": "host"', ''), 'package.json');
    expect(fine?.snapshots).toEqual({ value: 'snaps', line: 4 });
    expect(fine?.pages.origins.timeout).toBe('package.json:5');
    expect(readPackageConfig('{ "name": "docs" }', 'package.json')).toBeUndefined();
  });
});

describe('a page over the config, under the command line', () => {
  const base = layered(defaultSettings(), readConfig(config, 'lesson.config.yaml').pages);
  const page = '---\ntimeout: 5s\nrequires: [git, jq]\ncheck-page: false\nnormalize:\n  rules: [{ pattern: "x", replace: "y" }]\n---\n# Page\n';

  test('front matter replaces a single value and adds to a list; the command line overrides both', () => {
    const { settings } = readPage(page, 'docs/page.md', 'page', { base, commandLine: { checkPage: true, origins: { 'check-page': 'command line' } } });
    expect(settings.timeoutMs).toBe(5000);
    expect(settings.requires).toEqual(['docker', 'jq', 'git']);
    expect(settings.normalize.rules.map((rule) => rule.pattern)).toEqual(['took \\d+ms', 'x']);
    expect(settings.checkPage).toBe(true);
    expect(describeSettings(settings)).toMatchObject({
      timeout: { value: '5s', from: 'docs/page.md:2' },
      requires: { value: ['docker', 'jq', 'git'], from: ['lesson.config.yaml:8', 'lesson.config.yaml:8', 'docs/page.md:3'] },
      'normalize.rules': { from: ['lesson.config.yaml:10', 'docs/page.md:5'] },
      'check-page': { value: true, from: 'command line' },
      images: { value: ['ubuntu'], from: ['lesson.config.yaml:13'] },
      prompts: { value: ['➜ '], from: ['lesson.config.yaml:9'] },
      locale: { value: null, from: 'default' },
    });
  });

  test('with no command line, the front matter wins over the config; with no config, the defaults', () => {
    expect(readPage(page, 'docs/page.md', 'page', { base }).settings.checkPage).toBe(false);
    const alone = readPage('# Page\n', 'page.md', 'page', { base });
    expect(describeSettings(alone.settings)).toMatchObject({ timeout: { value: '30s', from: 'lesson.config.yaml:7' }, 'check-page': { value: true, from: 'lesson.config.yaml:12' } });
    expect(describeSettings(readPage('# Page\n', 'page.md', 'page').settings)).toMatchObject({ timeout: { value: '2m', from: 'default' }, requires: { value: [], from: [] } });
  });
});
