import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { Snapshot } from '../../src/types.js';
import { dockerSkipReason, lesson, root } from '../helpers.js';
import { Footprint } from '../reliability/footprint.js';

const skip = dockerSkipReason();
if (skip) console.warn(`skipping the Layers lesson end to end: ${skip}`);

/** A copy of the Layers page, changed, checked against the committed snapshot. */
function changedCopy(change: (page: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-copy-'));
  const page = join(dir, 'layers.md');
  writeFileSync(page, change(readFileSync(join(root, 'lessons/layers.md'), 'utf8')));
  return page;
}

describe.skipIf(skip)('the Layers lesson, for real, on a private engine', () => {
  const ci = { env: { CI: 'true' } };

  test('passes against its snapshot twice in a row, and leaves no engine process or mount behind', async () => {
    // Runs of its own TMPDIR (under the tests' temp folder, removed with it): other runs on the machine,
    // before or meanwhile, never count.
    const footprint = new Footprint(tmpdir(), 'lesson-layers-run-');
    const seen = footprint.watch();
    const env = { ...ci.env, ...footprint.env };
    for (const run of [await lesson(['layers'], { env }), await lesson(['layers'], { env })]) {
      expect(run.all).toMatch(/11 passed, 0 failed, 0 skipped/);
      expect(run.exitCode).toBe(0);
    }
    const during = seen().join('\n');
    for (const kind of [/^process: dockerd /m, /^process: \S*containerd-shim/m, /^mount /m, /^cgroup /m]) expect(during).toMatch(kind);
    expect(footprint.now()).toEqual([]);
    footprint.remove();
  });

  test('the snapshot shows the shared layer as one placeholder in both histories', () => {
    const snapshot = readFileSync(join(root, 'snapshots/layers.yaml'), 'utf8');
    const history = /réutilisation-des-layers-dans-les-images-5:[\s\S]*?output: \|\n([\s\S]*?)\n  \S/.exec(snapshot)![1]!;
    const test = history.split('\n').filter((line) => line.includes('touch /test')).map((line) => line.trim().split(/\s+/)[0]);
    expect(test).toHaveLength(2);
    expect(test[0]).toMatch(/^<id-\d+>$/);
    expect(test[1]).toBe(test[0]);
  });

  test('the snapshot shows the layers layers2 shares with layers1 as the same placeholders, side by side', () => {
    const snapshot = parse(readFileSync(join(root, 'snapshots/layers.yaml'), 'utf8')) as Snapshot;
    const layers = snapshot.steps['ou-se-trouve-ces-layers--2']!.output.trim().split('\n').map((line) => [...line.matchAll(/sha256:(<id-\d+>)/g)].map((m) => m[1]));
    expect(layers).toHaveLength(2);
    expect(layers[0]).toHaveLength(2);
    expect(layers[1]).toHaveLength(3);
    expect(layers[1]!.slice(0, 2)).toEqual(layers[0]);
    expect(new Set(layers[1]).size).toBe(3);
  });

  test('a changed page fails with a diff that points at the steps that changed', async () => {
    const page = changedCopy((text) => text.replace('RUN touch /autre-fichier', 'RUN touch /autre'));
    const run = await lesson(['run', page, '--snapshots', join(root, 'snapshots')], ci);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`✗ ${page}:26  docker build -t revollat/layers2 -f Dockerfile .`);
    expect(run.stdout).toMatch(/-Step 3\/3 : RUN touch \/autre-fichier\n\s+\+Step 3\/3 : RUN touch \/autre\n/);
    expect(run.stdout).toContain(`✗ ${page}:33  docker image history revollat/layers1`);
    expect(run.stdout).toContain(`✓ ${page}:25  docker build -t revollat/layers1`);
  });

  test('a lost layer reuse fails: the rebuilt layer gets a new placeholder', async () => {
    const page = changedCopy((text) => text.replace('RUN touch /test\nRUN touch /autre-fichier', 'RUN touch  /test\nRUN touch /autre-fichier'));
    const run = await lesson(['run', page, '--snapshots', join(root, 'snapshots')], ci);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/-\s+---> Using cache\n/);
    expect(run.stdout).toContain(`✗ ${page}:33  docker image history`);
  });
});
