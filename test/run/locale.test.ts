// Steps run in one locale whoever runs them: a reader's LANG, LC_* or LANGUAGE never changes what a step
// prints (so never what a snapshot records), and a lesson that wants another locale says so in its front matter.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { readFrontMatter } from '../../src/parse/front-matter.js';
import type { Snapshot } from '../../src/types.js';
import { lesson } from '../helpers.js';

const work = mkdtempSync(join(tmpdir(), 'lesson-locale-'));

// A French locale compiled into a folder of the test's own (LOCPATH), so the machine's locales are untouched.
function frenchEnv(): { env: Record<string, string>; skip?: string } {
  const locales = join(work, 'locales');
  mkdirSync(locales);
  const built = execaSync('localedef', ['-i', 'fr_FR', '-f', 'UTF-8', join(locales, 'fr_FR.UTF-8')], { reject: false });
  const env = { LANG: 'fr_FR.UTF-8', LC_ALL: 'fr_FR.UTF-8', LC_MESSAGES: 'fr_FR.UTF-8', LANGUAGE: 'fr', LOCPATH: locales };
  if (built.exitCode !== 0 && built.exitCode !== 1) return { env, skip: `localedef cannot build fr_FR.UTF-8 (${built.stderr.split('\n')[0]}): run \`bash scripts/setup.sh\`` };
  // The reader's locale must really change texts here, or English output below would prove nothing.
  const ls = execaSync('ls', ['/nowhere'], { env, reject: false });
  if (!ls.stderr.includes('Aucun fichier')) return { env, skip: `no French messages for coreutils here (ls says "${ls.stderr}")` };
  return { env };
}

const french = frenchEnv();
if (french.skip) console.warn(`locale tests skipped: ${french.skip}`);

const steps = ['$ ls /nowhere || true', "$ printf 'é' | wc -m", '$ echo "LANG=$LANG LC_ALL=${LC_ALL-unset} LC_MESSAGES=${LC_MESSAGES-unset} LANGUAGE=${LANGUAGE-unset}"'];

async function record(frontMatter: string[]): Promise<string[]> {
  const dir = mkdtempSync(join(work, 'page-'));
  const page = join(dir, 'locale.md');
  writeFileSync(page, [...(frontMatter.length ? ['---', ...frontMatter, '---'] : []), '# Locale', '', '```console', ...steps, '```', ''].join('\n'));
  // The compiled locale sits in the test's temp folder (LOCPATH), which the sandbox does not show.
  const run = await lesson(['run', page, '-u', '--snapshots', dir, '--no-sandbox'], { env: french.env });
  expect(run.exitCode, run.all).toBe(0);
  const snapshot = parse(readFileSync(join(dir, 'locale.yaml'), 'utf8')) as Snapshot;
  return Object.values(snapshot.steps).map((entry) => entry.output.trim());
}

describe.skipIf(french.skip)("a reader's locale", () => {
  test('does not reach the steps: they print C.UTF-8 texts, in English, with no LC_* or LANGUAGE set', async () => {
    expect(await record([])).toEqual([
      "ls: cannot access '/nowhere': No such file or directory",
      '1',
      'LANG=C.UTF-8 LC_ALL=unset LC_MESSAGES=unset LANGUAGE=unset',
    ]);
  });

  test('is replaced by the one the front matter names', async () => {
    const outputs = await record(['locale: fr_FR.UTF-8']);
    expect(outputs[0]).toMatch(/^ls: impossible d'accéder à '\/nowhere': Aucun fichier ou dossier de ce /);
    expect(outputs[2]).toBe('LANG=fr_FR.UTF-8 LC_ALL=unset LC_MESSAGES=unset LANGUAGE=unset');
  });
});

describe('the locale front-matter key', () => {
  test('takes a locale name, and refuses anything else at its line', () => {
    expect(readFrontMatter('locale: de_DE.UTF-8', 'p.md', 1).locale).toBe('de_DE.UTF-8');
    expect(readFrontMatter('title: t', 'p.md', 1).locale).toBeUndefined();
    expect(() => readFrontMatter('title: t\nlocale: [fr]', 'p.md', 1)).toThrow(/"locale" must be a locale name/);
    expect(() => readFrontMatter('locale: "fr FR; rm -rf /"', 'p.md', 1)).toThrow(expect.objectContaining({ line: 2 }));
  });
});
