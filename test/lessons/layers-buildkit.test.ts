import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { formatSnapshot, readSnapshot } from '../../src/snapshot/store.js';
import { selectVariant } from '../../src/snapshot/variants.js';
import type { Snapshot } from '../../src/types.js';
import { dockerSkipReason, leftovers, lesson, root } from '../helpers.js';

// The Layers lesson under both builders this machine has: Docker's 28 client without buildx
// (/usr/local/bin/docker: the legacy builder) and Debian's 20.10 client (/usr/bin/docker), which
// builds with the BuildKit it has built in when DOCKER_BUILDKIT=1. Each is checked against its variant
// of the committed snapshot.
const clients = existsSync('/usr/local/bin/docker') && existsSync('/usr/bin/docker') ? undefined : 'both /usr/local/bin/docker and /usr/bin/docker are needed';
const skip = dockerSkipReason() ?? clients;
if (skip) console.warn(`skipping the Layers lesson under both builders: ${skip}`);

const committed = join(root, 'snapshots/layers.yaml');
const ci = { env: { CI: 'true' } };

function variant(builder: 'legacy' | 'buildkit'): Snapshot {
  const selection = selectVariant(readSnapshot(committed) as Snapshot, { builder, engine: '20' });
  if (!('snapshot' in selection)) throw new Error(selection.mismatch);
  return selection.snapshot;
}

/** A folder with a copy of the Layers page, changed, for `lesson run <page> --snapshots <folder>`. */
function copy(change: (page: string) => string = (page) => page): { page: string; snapshots: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-layers-'));
  writeFileSync(join(dir, 'layers.md'), change(readFileSync(join(root, 'lessons/layers.md'), 'utf8')));
  return { page: join(dir, 'layers.md'), snapshots: dir };
}

/** Engine processes and mounts of this test run's folder: other test runs may share the machine. */
function ours(): ReturnType<typeof leftovers> {
  const folder = process.env.TMPDIR ?? tmpdir();
  const found = leftovers();
  return { processes: found.processes.filter((line) => line.includes(folder)), mounts: found.mounts.filter((line) => line.includes(folder)) };
}

describe.skipIf(skip)('the Layers lesson under BuildKit and the legacy builder', () => {
  let before: ReturnType<typeof leftovers>;
  beforeAll(() => {
    before = ours();
  });

  test.each(['buildkit', 'legacy'] as const)('passes with --builder %s against its variant, leaving nothing behind', async (builder) => {
    const run = await lesson(['layers', '--builder', builder], ci);
    expect(run.all).toMatch(/11 passed, 0 failed, 0 skipped/);
    expect(run.exitCode).toBe(0);
    expect(ours()).toEqual(before);
  });

  test("passes with Debian's client first on PATH and DOCKER_BUILDKIT=1, as a user would build", async () => {
    const run = await lesson(['layers'], { env: { CI: 'true', DOCKER_BUILDKIT: '1', PATH: `/usr/bin:${process.env.PATH ?? ''}` } });
    expect(run.all).toMatch(/11 passed, 0 failed, 0 skipped/);
  });

  test.each(['buildkit', 'legacy'] as const)('under %s, a changed `touch /autre-fichier` is caught in the build that runs it', async (builder) => {
    const { page } = copy((text) => text.replace('RUN touch /autre-fichier', 'RUN touch /autre'));
    const run = await lesson(['run', page, '--snapshots', join(root, 'snapshots'), '--builder', builder], ci);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`✗ ${page}:26  docker build -t revollat/layers2 -f Dockerfile .`);
    expect(run.stdout).toContain(`✓ ${page}:25  docker build -t revollat/layers1`);
    const changed = builder === 'buildkit' ? /-#6 \[3\/3\] RUN touch \/autre-fichier\n\s+\+#6 \[3\/3\] RUN touch \/autre\n/ : /-Step 3\/3 : RUN touch \/autre-fichier\n\s+\+Step 3\/3 : RUN touch \/autre\n/;
    expect(run.stdout).toMatch(changed);
  });

  test('the BuildKit variant shows the reused step CACHED in the second build, and the legacy one "Using cache"', () => {
    expect(variant('buildkit').steps['réutilisation-des-layers-dans-les-images-4']?.output).toMatch(/^#5 \[2\/3\] RUN touch \/test\n#5 CACHED\n/m);
    expect(variant('legacy').steps['réutilisation-des-layers-dans-les-images-4']?.output).toMatch(/Step 2\/3 : RUN touch \/test\n ---> Using cache\n/);
  });

  test.each(['buildkit', 'legacy'] as const)('under %s, the layers layers2 reuses are the same placeholders as in layers1', (builder) => {
    const output = variant(builder).steps['ou-se-trouve-ces-layers--2']?.output ?? '';
    const layers = output.trim().split('\n').map((line) => [...line.matchAll(/sha256:(<id-\d+>)/g)].map((match) => match[1]));
    expect(layers.map((each) => each.length)).toEqual([2, 3]);
    expect(layers[1]?.slice(0, 2)).toEqual(layers[0]);
    expect(new Set(layers[1]).size).toBe(3);
  });

  test('with no --builder, `lesson run` checks a BuildKit-only snapshot with BuildKit; `check` says what is needed', async () => {
    const { page, snapshots } = copy();
    const only = variant('buildkit');
    writeFileSync(join(snapshots, 'layers.yaml'), formatSnapshot({ ...only, lesson: page }));
    const run = await lesson(['run', page, '--snapshots', snapshots], ci);
    expect(run.all).toMatch(/11 passed, 0 failed, 0 skipped/);
    const check = await lesson(['check', page, '--snapshots', snapshots], ci);
    expect(check.exitCode).toBe(1);
    expect(check.all).toMatch(/no variant of this snapshot fits this machine \(builder legacy, engine 20, mode private\).*differs: builder buildkit here legacy.*`--builder buildkit`/);
  });

  test('-u --builder legacy on a snapshot with both variants rewrites the legacy one and keeps the BuildKit one as it was', async () => {
    const { page, snapshots } = copy();
    copyFileSync(committed, join(snapshots, 'layers.yaml'));
    const run = await lesson(['run', page, '--snapshots', snapshots, '-u', '--builder', 'legacy']);
    expect(run.exitCode).toBe(0);
    const written = readSnapshot(join(snapshots, 'layers.yaml')) as Snapshot;
    const selection = selectVariant(written, { builder: 'buildkit', engine: '20' });
    expect('snapshot' in selection && selection.snapshot.steps).toEqual(variant('buildkit').steps);
    // The others (BuildKit's, a rootless engine's) stay, and none is added.
    expect(written.variants).toEqual((readSnapshot(committed) as Snapshot).variants);
  });
});
