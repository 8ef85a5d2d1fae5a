// An engine that fails to start ends the run with 1 and says why: its log's tail (a rootless start has
// more ways to fail than a root one, and each must be seen).
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { dockerSkipReason, lesson } from '../helpers.js';

const skip = dockerSkipReason();
if (skip) console.warn(`engine start failure test skipped: ${skip}`);

describe.skipIf(skip)('an engine that cannot start', () => {
  test('the run exits 1 and prints what dockerd said', async () => {
    // A dockerd found first on PATH that fails at once, as a broken install would.
    const bin = mkdtempSync(join(tmpdir(), 'lesson-broken-dockerd-'));
    writeFileSync(join(bin, 'dockerd'), '#!/bin/sh\necho "failed to start daemon: broken on purpose" >&2\nexit 3\n');
    chmodSync(join(bin, 'dockerd'), 0o755);
    const run = await lesson(['run', 'lessons/layers.md'], { env: { PATH: `${bin}:${process.env.PATH ?? ''}`, CI: 'true' } });
    expect(run.exitCode, run.all).toBe(1);
    expect(run.stderr).toContain('error dockerd exited while starting (3):\nfailed to start daemon: broken on purpose');
  });
});
