import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { Snapshot } from '../../src/types.js';
import { dockerSkipReason, lesson, root } from '../helpers.js';
import { Footprint } from '../reliability/footprint.js';

function skipReason(): string | undefined {
  const docker = dockerSkipReason();
  if (docker) return docker;
  const found = execaSync('sh', ['-c', 'command -v docker-registry'], { reject: false });
  return found.exitCode === 0 ? undefined : 'docker-registry is missing: run `bash scripts/setup.sh`';
}

const skip = skipReason();
if (skip) console.warn(`skipping the registry lesson end to end: ${skip}`);

const snapshot = parse(readFileSync(join(root, 'snapshots/registry.yaml'), 'utf8')) as Snapshot;

/** `docker image ls --digests` rows of the recorded step: tag → [digest, image id]. */
function digestsIn(stepId: string): Map<string, [string, string]> {
  const rows = snapshot.steps[stepId]!.output.trim().split('\n').slice(1);
  return new Map(rows.map((row) => {
    const [, tag, digest, id] = row.split(/\s+/);
    return [tag!, [digest!, id!]];
  }));
}

describe('the registry lesson, as recorded', () => {
  test('the version tags share one digest and one image; the variant has its own', () => {
    const pushed = digestsIn('push-3');
    expect([...pushed.keys()].sort()).toEqual(['1', '1.0', '1.0.0', '1.0.0-majuscules', 'latest']);
    const versions = ['1', '1.0', '1.0.0', 'latest'].map((tag) => pushed.get(tag)!);
    for (const [digest, id] of versions) {
      expect(digest).toMatch(/^sha256:<id-\d+>$/);
      expect([digest, id]).toEqual(versions[0]);
    }
    const [variantDigest, variantId] = pushed.get('1.0.0-majuscules')!;
    expect(variantDigest).not.toBe(versions[0]![0]);
    expect(variantId).not.toBe(versions[0]![1]);
  });

  test('what is pulled back is what was pushed: same digests, same image ids', () => {
    const pushed = digestsIn('push-3');
    const pulled = digestsIn('pull-5');
    expect([...pulled.keys()].sort()).toEqual(['1.0.0-majuscules', 'latest']);
    for (const [tag, row] of pulled) expect(row).toEqual(pushed.get(tag));
  });
});

describe.skipIf(skip)('the registry lesson, for real, on a private engine', () => {
  test('passes against its snapshot and leaves no engine process (shims included) or mount behind', async () => {
    // Its own TMPDIR: whatever the run leaves is told apart from other runs on the machine. It is long
    // enough that the engine lives in /tmp, where the census must follow it.
    const footprint = new Footprint(tmpdir(), 'lesson-reg-');
    const seen = footprint.watch();
    const run = await lesson(['registry'], { env: { CI: 'true', ...footprint.env } });
    expect(run.all).toMatch(/29 passed, 0 failed, 0 skipped/);
    expect(run.exitCode).toBe(0);
    const during = seen().join('\n');
    for (const kind of [/^process: dockerd /m, /^process: \S*containerd-shim/m, /^process: \S*registry/m, /^mount /m, /^cgroup /m]) expect(during).toMatch(kind);
    expect(footprint.now()).toEqual([]);
    footprint.remove();
  });
});
