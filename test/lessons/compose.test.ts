// The Compose lesson end to end: two services and a named volume on a private engine, through whichever
// Compose the machine has (here Debian's docker-compose 1.29, answering `docker compose`).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { Snapshot } from '../../src/types.js';
import { dockerSkipReason, leftovers, lesson, root } from '../helpers.js';

function skipReason(): string | undefined {
  const docker = dockerSkipReason();
  if (docker) return docker;
  const found = execaSync('sh', ['-c', 'docker compose version || command -v docker-compose'], { reject: false });
  return found.exitCode === 0 ? undefined : 'no docker compose plugin and no docker-compose: run `bash scripts/setup.sh`';
}

const skip = skipReason();
if (skip) console.warn(`skipping the Compose lesson end to end: ${skip}`);

/**
 * What this test file's runs left behind: under its own temp folder (global-setup gives each test run
 * one), so that engines other runs on the machine have up at the same time do not count.
 */
function ourLeftovers(): ReturnType<typeof leftovers> {
  const { processes, mounts } = leftovers();
  const ours = (line: string) => line.includes(tmpdir());
  return { processes: processes.filter(ours), mounts: mounts.filter(ours) };
}

/** A copy of the Compose page, changed, checked against the committed snapshot. */
function changedCopy(change: (page: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-copy-'));
  const page = join(dir, 'compose.md');
  writeFileSync(page, change(readFileSync(join(root, 'lessons/compose.md'), 'utf8')));
  return page;
}

describe.skipIf(skip)('the Compose lesson, for real, on a private engine', () => {
  const ci = { env: { CI: 'true' } };
  let before: ReturnType<typeof ourLeftovers>;
  beforeAll(() => {
    before = ourLeftovers();
  });

  test('passes against its snapshot, and leaves no engine process or mount behind', async () => {
    const run = await lesson(['compose'], ci);
    expect(run.all).toMatch(/12 passed, 0 failed, 0 skipped/);
    expect(run.exitCode).toBe(0);
    expect(ourLeftovers()).toEqual(before);
  }, 300_000);

  test('the snapshot records the Compose version, and the volume that survives down', () => {
    const snapshot = parse(readFileSync(join(root, 'snapshots/compose.yaml'), 'utf8')) as Snapshot;
    expect(snapshot.environment.compose).toMatch(/^\d+\.\d+\.\d+$/);
    const fetched = Object.values(snapshot.steps).filter((step) => step.command === 'docker compose exec -T client wget -qO- http://web/');
    expect(fetched.map((step) => step.output)).toEqual(['Bonjour depuis le volume\n', 'Bonjour depuis le volume\n']);
    const volumes = Object.values(snapshot.steps).filter((step) => step.command === 'docker volume ls').map((step) => step.output);
    expect(volumes).toEqual(['DRIVER  VOLUME NAME\nlocal  <project-1>_site\n', 'DRIVER  VOLUME NAME\n']);
  });

  test('a changed page fails at the steps whose output changed', async () => {
    // An anonymous volume instead of the named one: `up` after `down` gives `web` a new, empty one.
    const page = changedCopy((text) => text.replace('- site:/www', '- /www'));
    const run = await lesson(['run', page, '--snapshots', join(root, 'snapshots')], ci);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`✓ ${page}:63  docker compose exec -T client wget -qO- http://web/`);
    expect(run.stdout).toContain(`✗ ${page}:78  docker volume ls`);
    expect(run.stdout).toContain(`✗ ${page}:85  docker compose exec -T client wget -qO- http://web/`);
  }, 300_000);
});
