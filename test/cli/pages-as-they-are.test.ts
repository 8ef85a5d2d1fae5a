// Real pages are written without front matter: what they need is read from their steps, and nothing
// they run ever reaches the reader's own Docker engine.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerSkipReason, lesson, root } from '../helpers.js';

const skip = dockerSkipReason();
if (skip) console.warn(`skipped: ${skip}`);

/** A stand-in for the reader's own engine: a socket that counts who connects to it. */
let fake: { server: Server; socket: string; connections: number };
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lesson-pages-'));
  const socket = join(dir, 'users-engine.sock');
  const server = createServer((connection) => {
    fake.connections++;
    connection.destroy();
  });
  fake = { server, socket, connections: 0 };
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});

afterAll(async () => {
  await new Promise((resolve) => fake.server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const usersEngine = () => ({ DOCKER_HOST: `unix://${fake.socket}` });

function page(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe.skipIf(skip)('pages as they are', () => {
  test('the fake engine is reachable: a connection to it is counted', async () => {
    const before = fake.connections;
    await new Promise<void>((resolve, reject) => connect(fake.socket).on('connect', resolve).on('error', reject));
    await new Promise((wait) => setTimeout(wait, 50));
    expect(fake.connections).toBe(before + 1);
  });

  test('a page without front matter gets a private engine for its docker commands; the reader\'s engine sees no request', async () => {
    const before = fake.connections;
    const plan = await lesson(['plan', 'test/fixtures/pages/volumes.md']);
    expect(plan.stdout).toContain('requires docker (read from the steps)');
    const snapshots = join(dir, 'volumes-snapshots');
    const record = await lesson(['run', 'test/fixtures/pages/volumes.md', '--snapshots', snapshots, '-u'], { env: usersEngine() });
    expect(record.stdout).toMatch(/7 passed, 0 failed, 0 skipped/);
    const replay = await lesson(['run', 'test/fixtures/pages/volumes.md', '--snapshots', snapshots], { env: { ...usersEngine(), CI: 'true' } });
    expect(replay.stdout).toMatch(/7 passed, 0 failed, 0 skipped/);
    expect(replay.exitCode).toBe(0);

    // A changed command is caught against the recorded run.
    const changed = page('volumes.md', readFileSync(join(root, 'test/fixtures/pages/volumes.md'), 'utf8').replace("echo bonjour", 'echo salut'));
    const caught = await lesson(['run', changed, '--snapshots', snapshots], { env: { ...usersEngine(), CI: 'true' } });
    expect(caught.exitCode).toBe(1);
    expect(caught.stdout).toMatch(/-bonjour\n\s+\+salut/);
    expect(fake.connections).toBe(before);
  });

  test('a docker command the plan cannot see finds no engine at all, never the reader\'s', async () => {
    const before = fake.connections;
    const run = await lesson(['run', page('hidden.md', '```console\n$ sh -c "docker ps"\n```\n'), '--snapshots', dir, '-u'], { env: usersEngine() });
    expect(run.stdout).toMatch(/no-docker-engine\.sock|Cannot connect to the Docker daemon/);
    expect(fake.connections).toBe(before);
  });

  test('a step that names another engine says so at its line and does not run', async () => {
    const before = fake.connections;
    const path = page('elsewhere.md', `# Ailleurs\n\n\`\`\`console\n$ docker run --rm alpine echo ici\nici\n$ docker -H unix://${fake.socket} ps\n$ docker run -v /var/run/docker.sock:/var/run/docker.sock alpine ls\n\`\`\`\n`);
    const lint = await lesson(['lint', path]);
    expect(lint.stdout).toContain(`${path}:6: error: this command names the engine unix://${fake.socket}`);
    expect(lint.stdout).toContain(`${path}:7: error: this command uses the host's /var/run/docker.sock`);
    const run = await lesson(['run', path, '--snapshots', dir, '-u'], { env: usersEngine() });
    expect(run.stdout).toContain(`✗ ${path}:6  docker -H unix://${fake.socket} ps`);
    expect(run.stdout).toContain('not run: this command names the engine');
    expect(run.stdout).toMatch(/1 passed, 1 failed, 0 skipped \(1 not run\)/);
    expect(fake.connections).toBe(before);
  });

  test('an indented block shows its output as a reader reads it: the error it documents passes, a different one fails', async () => {
    const snapshots = join(dir, 'cap-snapshots');
    const run = await lesson(['run', 'test/fixtures/pages/capabilities.md', '--snapshots', snapshots, '-u']);
    expect(run.stdout).toMatch(/2 passed, 0 failed, 0 skipped/);
    const other = join(dir, 'capabilities');
    cpSync(join(root, 'test/fixtures/pages/capabilities.md'), `${other}.md`);
    writeFileSync(`${other}.md`, readFileSync(`${other}.md`, 'utf8').replace('Operation not permitted', 'Permission denied'));
    const differs = await lesson(['run', `${other}.md`, '--snapshots', join(dir, 'cap-other')]);
    expect(differs.stdout).toContain('exited with status 1');
    expect(differs.exitCode).toBe(1);
  });
});
