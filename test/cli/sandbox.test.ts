// A page is code: its steps run in a sandbox where only the run's own folder is writable. A hostile
// page is run, and what lies outside the run's folder is compared before and after.

import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lesson, root } from '../helpers.js';

/** A digest of a folder's tree: names, modes and contents. */
function digest(dir: string): string {
  const hash = createHash('sha256');
  const walk = (path: string) => {
    const stat = lstatSync(path);
    hash.update(`${path} ${stat.mode}\n`);
    if (stat.isSymbolicLink()) hash.update(readlinkSync(path));
    else if (stat.isDirectory()) for (const name of readdirSync(path).sort()) walk(join(path, name));
    else if (stat.isFile()) hash.update(readFileSync(path));
  };
  walk(dir);
  return hash.digest('hex');
}

const skip = existsSync('/usr/bin/bwrap') ? undefined : 'bubblewrap is missing: bash scripts/setup.sh installs it';
if (skip) console.warn(`skipped: ${skip}`);

function hostilePage(canaries: string[], marker: string): string {
  return [
    '# Hostile',
    '',
    '```console',
    ...canaries.map((canary) => `$ rm -rf ${canary}; ls ${canary}`),
    `$ echo owned > /etc/${marker}`,
    `$ chmod 000 ${join(root, 'package.json')}`,
    ...canaries.map((canary, i) => `$ ln -s ${canary} sortie${i} && echo owned > sortie${i}/note`),
    `$ cd .. && cd .. && touch ${marker}; pwd`,
    '$ touch ~/.bashrc-owned && ls -A ~ && echo "HOME=$HOME"',
    '$ echo temp > /tmp/ok && cat /tmp/ok',
    '```',
    '',
  ].join('\n');
}

/** A folder with one file, to be kept as it is. */
function canary(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'keep'), 'precious\n');
  return dir;
}

describe.skipIf(skip)('the sandbox', () => {
  test('a hostile page changes nothing outside its run: each write fails as the command reports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-sandbox-'));
    // One where the host's folders are read-only, one in the temp folder, which the run replaces with its own.
    const visible = canary(`/var/tmp/lesson-canary-${process.pid}`);
    const hidden = canary(join(dir, 'canary'));
    const marker = `lesson-hostile-${process.pid}`;
    try {
      const before = { visible: digest(visible), hidden: digest(hidden), checkout: statSync(join(root, 'package.json')).mode, etc: digest('/etc') };
      const page = join(dir, 'hostile.md');
      writeFileSync(page, hostilePage([visible, hidden], marker));

      const run = await lesson(['run', page, '--snapshots', dir, '-u']);
      const recorded = readFileSync(join(dir, 'hostile.yaml'), 'utf8');
      expect(recorded).toContain(`rm: cannot remove '${visible}/keep': Read-only file system`);
      expect(run.stdout).toContain(`ls: cannot access '${hidden}': No such file or directory`);
      expect(run.stdout).toContain(`/etc/${marker}: Read-only file system`);
      // The checkout is read-only where the sandbox shows it, and not there at all when it lives in the
      // temp folder, which the run replaces with its own.
      expect(run.stdout).toMatch(/chmod: (?:changing permissions of|cannot access) '.*package\.json': (?:Read-only file system|No such file or directory)/);
      expect(run.stdout).toMatch(/sortie0\/note: Read-only file system/);
      expect(recorded).toMatch(/\.bashrc-owned\n\s+HOME=\/.*\/home\n/);
      expect(recorded).toMatch(/output: \|\n\s+temp\n/);
      expect(digest(visible)).toBe(before.visible);
      expect(digest(hidden)).toBe(before.hidden);
      expect(statSync(join(root, 'package.json')).mode).toBe(before.checkout);
      expect(existsSync(`/etc/${marker}`)).toBe(false);
      expect(digest('/etc')).toBe(before.etc);
      expect(existsSync(join(tmpdir(), marker))).toBe(false);
    } finally {
      rmSync(visible, { recursive: true, force: true });
    }
  });

  test('--no-sandbox, on the command line only, says so in the header; the same page then does reach outside', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-sandbox-'));
    const kept = canary(join(dir, 'canary'));
    const page = join(dir, 'reach.md');
    writeFileSync(page, `# Reach\n\n\`\`\`console\n$ echo owned > ${kept}/note\n\`\`\`\n`);
    const run = await lesson(['run', page, '--snapshots', dir, '-u', '--no-sandbox']);
    expect(run.stdout).toContain('note: no sandbox (--no-sandbox)');
    expect(readFileSync(join(kept, 'note'), 'utf8')).toBe('owned\n');
  });
});
