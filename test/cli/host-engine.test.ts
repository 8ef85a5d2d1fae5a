// `--engine host` on an engine the tests start themselves, as a user's own engine would be (never the
// machine's default socket): a lesson leaves it as it found it, a rerun prints what the first run
// printed, and what a killed run left is removed by `lesson clean`.

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadBaseImage } from '../../src/run/base-image.js';
import { startPrivateEngine, type Engine } from '../../src/run/engine.js';
import { takeInventory, type Inventory } from '../../src/run/host-inventory.js';
import { cli, dockerSkipReason, lesson } from '../helpers.js';

const skip = dockerSkipReason();
if (skip) console.warn(`skipped: ${skip}`);

let users: Engine;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  if (skip) return;
  users = await startPrivateEngine();
  await loadBaseImage(users);
  dir = mkdtempSync(join(tmpdir(), 'lesson-host-'));
  // The host run's lock and record live in the cache folder: this test's own.
  env = { ...users.env, XDG_CACHE_HOME: join(dir, 'cache') } as Record<string, string>;
});

afterAll(async () => {
  await users?.stop();
});

const docker = (...args: string[]) => execa('docker', args, { env: { ...process.env, ...users.env } });
/** What the engine holds, comparable: IDs and tags, without the names list's order. */
const state = async (): Promise<Omit<Inventory, 'names'>> => {
  const { names: _names, ...held } = await takeInventory({ ...process.env, ...users.env });
  return { ...held, images: held.images.map((image) => ({ ...image, tags: [...image.tags].sort() })).sort((a, b) => a.id.localeCompare(b.id)) };
};

describe.skipIf(skip)('a lesson on the user\'s own engine', () => {
  test('the Layers lesson twice in a row passes against one snapshot, and the engine is left as it was', async () => {
    const before = await state();
    const snapshots = join(dir, 'snapshots');
    const record = await lesson(['run', 'lessons/layers.md', '--engine', 'host', '-u', '--snapshots', snapshots], { env });
    expect(record.all).toMatch(/11 passed, 0 failed, 0 skipped/);
    expect(await state()).toEqual(before);
    for (const run of [1, 2]) {
      const replay = await lesson(['run', 'lessons/layers.md', '--engine', 'host', '--snapshots', snapshots], { env: { ...env, CI: 'true' } });
      expect(replay.all, `run ${run}`).toMatch(/11 passed, 0 failed, 0 skipped/);
      expect(await state()).toEqual(before);
    }
  });

  test('what was there before stays, named in the header; a tag the lesson moved is given back', async () => {
    await docker('run', '-d', '--name', 'keep-me', 'alpine', 'sleep', '1000');
    await docker('tag', 'alpine', 'demo/app');
    const before = await state();
    const page = join(dir, 'names.md');
    writeFileSync(
      page,
      [
        '# Noms',
        '',
        'Dockerfile',
        '',
        '```',
        'FROM alpine',
        'RUN touch /x',
        '```',
        '',
        '```console',
        '$ docker build -q -t demo/app . > /dev/null',
        "$ docker ps --filter name=keep-me --format '{{.Names}}'",
        'keep-me',
        '$ docker network create lessonnet > /dev/null && docker volume create lessondata',
        'lessondata',
        '$ docker run -d --name web --network lessonnet -v lessondata:/data demo/app sleep 300 > /dev/null',
        '```',
        '',
      ].join('\n'),
    );
    const run = await lesson(['run', page, '--engine', 'host', '-u', '--snapshots', join(dir, 'names-snapshots')], { env });
    expect(run.all).toMatch(/5 passed, 0 failed, 0 skipped/);
    expect(run.all).toMatch(/note: this engine already holds what the lesson names: container keep-me, image demo\/app:latest/);
    expect(await state()).toEqual(before);
    expect((await docker('ps', '--filter', 'name=keep-me', '--format', '{{.Status}}')).stdout).toMatch(/^Up/);
    await docker('rm', '-f', 'keep-me');
    await docker('rmi', 'demo/app');
  });

  test('a run killed outright leaves its list; `lesson clean` removes what it made, and only that', async () => {
    const before = await state();
    const ready = join(dir, 'ready');
    const page = join(dir, 'killed.md');
    writeFileSync(page, `# Tué\n\n\`\`\`console\n$ docker network create leftnet\n$ docker run -d --name left alpine sleep 1000\n$ touch ${ready}; sleep 1000\n\`\`\`\n`);
    // The page tells the test where it stands by touching a file of the test's: outside the sandbox.
    const child = execa('node', [cli, 'run', page, '--engine', 'host', '-u', '--snapshots', join(dir, 'killed-snapshots'), '--no-sandbox'], { env: { ...env, NO_COLOR: '1', CI: '' }, reject: false });
    while (!existsSync(ready)) {
      if (child.exitCode !== null) throw new Error('the lesson ended before its last step');
      await new Promise((wait) => setTimeout(wait, 50));
    }
    // Proven there before the kill: the clean below has something to remove.
    expect((await state()).containers.length).toBe(before.containers.length + 1);
    child.kill('SIGKILL');
    await child;
    await execa('pkill', ['-KILL', '-f', ready], { reject: false });
    const clean = await lesson(['clean'], { env });
    expect(clean.stdout).toMatch(/removed what an interrupted lesson \(pid \d+\) left on this engine/);
    expect(await state()).toEqual(before);
    const again = await lesson(['clean'], { env });
    expect(again.stdout).toContain('nothing to clean');
  });

  test('Ctrl-C during a step: the run says so and removes what it added before it exits', async () => {
    const before = await state();
    const ready = join(dir, 'ready-int');
    const page = join(dir, 'interrupted.md');
    writeFileSync(page, `# Interrompu\n\n\`\`\`console\n$ docker volume create leftvol\n$ docker run -d --name left2 alpine sleep 1000\n$ touch ${ready}; sleep 1000\n\`\`\`\n`);
    // The page tells the test where it stands by touching a file of the test's: outside the sandbox.
    const child = execa('node', [cli, 'run', page, '--engine', 'host', '-u', '--snapshots', join(dir, 'int-snapshots'), '--no-sandbox'], { env: { ...env, NO_COLOR: '1', CI: '' }, reject: false, all: true });
    while (!existsSync(ready)) {
      if (child.exitCode !== null) throw new Error('the lesson ended before its last step');
      await new Promise((wait) => setTimeout(wait, 50));
    }
    expect((await state()).volumes.length).toBe(before.volumes.length + 1);
    child.kill('SIGINT');
    const ended = await child;
    expect(ended.exitCode).toBe(130);
    expect(ended.all).toContain('removing what the lesson added to your engine');
    expect(await state()).toEqual(before);
  });
});
