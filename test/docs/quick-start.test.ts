// The README's quick start is two commands on a fresh clone: each installs what the clone lacks first.
// `npm` and the package check are stand-ins on PATH here (a test reaches no registry); what they are
// asked to do is what a fresh machine would do.

import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, test } from 'vitest';
import { root } from '../helpers.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A clone with package files and scripts, a logging `npm` first on PATH, and a setup.sh --check that answers `missing`. */
function clone(options: { modules: boolean; built: boolean; missing?: string }) {
  dir = mkdtempSync(join(tmpdir(), 'lesson-quick-'));
  for (const file of ['package.json', 'package-lock.json', 'scripts/ensure.mjs']) cpSync(join(root, file), join(dir, file));
  writeFileSync(
    join(dir, 'scripts/setup.sh'),
    options.missing
      ? `if [ "$1" = --check ]; then echo ${options.missing}; exit 1; fi\necho "setup: installing ${options.missing}"; echo setup >> "${dir}/calls"\n`
      : 'exit 0\n',
  );
  if (options.modules) {
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules/.package-lock.json'), '{}');
    const later = new Date(Date.now() + 10_000);
    utimesSync(join(dir, 'node_modules/.package-lock.json'), later, later);
  }
  if (options.built) {
    mkdirSync(join(dir, 'dist/cli'), { recursive: true });
    writeFileSync(join(dir, 'dist/cli/bin.cjs'), '');
  }
  const bin = join(dir, 'fake-bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\necho "npm $*" >> "${dir}/calls"\n`);
  chmodSync(join(bin, 'npm'), 0o755);
  return (uid?: number) =>
    execa(process.execPath, [join(dir, 'scripts/ensure.mjs')], {
      env: { PATH: `${bin}:${process.env.PATH}` },
      reject: false,
      ...(uid !== undefined && { uid, gid: uid }),
    });
}

const calls = () => {
  try {
    return readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
  } catch {
    return [];
  }
};

describe('the first command on a fresh clone installs what it lacks', () => {
  test('no node modules: npm ci, which builds the CLI', async () => {
    const run = await clone({ modules: false, built: false })();
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('installing the node modules first (npm ci)');
    expect(calls()).toEqual(['npm ci --no-audit --no-fund']);
  });

  test('modules older than the lock file: npm ci again', async () => {
    const ensure = clone({ modules: true, built: true });
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'node_modules/.package-lock.json'), past, past);
    await ensure();
    expect(calls()).toEqual(['npm ci --no-audit --no-fund']);
  });

  test('modules but no built CLI: npm run build', async () => {
    await clone({ modules: true, built: false })();
    expect(calls()).toEqual(['npm run build']);
  });

  test('nothing missing: nothing done, nothing said', async () => {
    const run = await clone({ modules: true, built: true })();
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(calls()).toEqual([]);
  });

  test.skipIf(process.getuid?.() !== 0)('missing Debian packages: installed as root, saying what; otherwise one line with the command', async () => {
    const ensure = clone({ modules: true, built: true, missing: 'docker.io jq' });
    const asRoot = await ensure();
    expect(asRoot.stdout).toContain('setup: installing docker.io jq');
    expect(calls()).toEqual(['setup']);
    rmSync(join(dir, 'calls'), { force: true });
    // Another user reaches the clone through the run's temp folder, without listing it.
    chmodSync(tmpdir(), 0o711);
    chmodSync(dir, 0o755);
    const asUser = await ensure(65534);
    expect(asUser.stderr).toBe('lesson: missing Debian packages: docker.io jq; install them with: sudo bash scripts/setup.sh');
    expect(calls()).toEqual([]);
  });
});
