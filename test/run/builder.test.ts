import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { builderOf, BuilderUnavailable, clientFor, detectBuilder, dockerClients, useBuilder } from '../../src/run/builder.js';

describe('which builder a docker CLI uses', () => {
  const old = { version: '20.10.24+dfsg1' };
  const withBuildx = { version: '28.2.2', buildx: 'v0.25.0' };
  const withoutBuildx = { version: '28.2.2' };
  test.each([
    ['20.10, no DOCKER_BUILDKIT', old, undefined, 'legacy'],
    ['20.10, DOCKER_BUILDKIT=1', old, '1', 'buildkit'],
    ['20.10, DOCKER_BUILDKIT=true', old, 'true', 'buildkit'],
    ['20.10, DOCKER_BUILDKIT=0', old, '0', 'legacy'],
    ['20.10 with buildx, no DOCKER_BUILDKIT', { ...old, buildx: 'v0.10.0' }, undefined, 'legacy'],
    ['28 with buildx', withBuildx, undefined, 'buildkit'],
    ['28 with buildx, DOCKER_BUILDKIT=1', withBuildx, '1', 'buildkit'],
    ['28 with buildx, DOCKER_BUILDKIT=0', withBuildx, '0', 'legacy'],
    ['28 with buildx, DOCKER_BUILDKIT=false', withBuildx, 'false', 'legacy'],
    ['28 without buildx', withoutBuildx, undefined, 'legacy'],
    ['28 without buildx, DOCKER_BUILDKIT=0', withoutBuildx, '0', 'legacy'],
    ['28 without buildx, DOCKER_BUILDKIT=1', withoutBuildx, '1', 'none'],
    ['23 without buildx, DOCKER_BUILDKIT=1', { version: '23.0.0' }, '1', 'none'],
  ] as const)('%s: %s', (_, client, variable, kind) => {
    expect(builderOf(client, variable).kind).toBe(kind);
  });

  test('labels say which BuildKit, and why there is none', () => {
    expect(builderOf(old, '1').label).toBe('buildkit (built into docker 20.10.24+dfsg1)');
    expect(builderOf(withBuildx, undefined).label).toBe('buildkit (buildx v0.25.0)');
    expect(builderOf(withoutBuildx, '1').label).toBe('none (DOCKER_BUILDKIT=1, but docker 28.2.2 has no buildx)');
    expect(builderOf(withoutBuildx, undefined).label).toBe('legacy');
  });

  test('the client for a builder is the first that has it', () => {
    const clients = [{ path: '/a/docker', ...withoutBuildx }, { path: '/b/docker', ...old }, { path: '/c/docker', ...withBuildx }];
    expect(clientFor('buildkit', clients)?.path).toBe('/b/docker');
    expect(clientFor('legacy', clients)?.path).toBe('/a/docker');
    expect(clientFor('buildkit', clients.slice(0, 1))).toBeUndefined();
  });
});

// This machine has Docker's 28 client without buildx in /usr/local/bin and Debian's 20.10 in /usr/bin.
const both = existsSync('/usr/local/bin/docker') && existsSync('/usr/bin/docker');
if (!both) console.warn('skipping the builder tests on real clients: /usr/local/bin/docker or /usr/bin/docker is missing');

describe.skipIf(!both)('on the docker CLIs of this machine', () => {
  const path = '/usr/local/bin:/usr/bin:/bin';

  test("a 20.10 client with DOCKER_BUILDKIT=1 builds with BuildKit, not 'none'", async () => {
    expect(await detectBuilder({ PATH: '/usr/bin:/bin', DOCKER_BUILDKIT: '1' })).toMatch(/^buildkit \(built into docker 20\.10/);
    expect(await detectBuilder({ PATH: '/usr/bin:/bin' })).toBe('legacy');
  });

  test('finds both clients, PATH first', async () => {
    const clients = await dockerClients({ PATH: path });
    expect(clients.map((client) => client.path)).toEqual(['/usr/local/bin/docker', '/usr/bin/docker']);
    expect(clients[1]?.version).toMatch(/^20\.10\./);
  });

  test('--builder buildkit puts a link to the 20.10 client first on PATH and sets DOCKER_BUILDKIT=1', async () => {
    const env: NodeJS.ProcessEnv = { PATH: path };
    const client = await useBuilder('buildkit', { env });
    expect(client.path).toBe('/usr/bin/docker');
    expect(env.DOCKER_BUILDKIT).toBe('1');
    const version = await execa('docker', ['--version'], { env, extendEnv: false });
    expect(version.stdout).toMatch(/^Docker version 20\.10\./);
    expect(await detectBuilder(env)).toMatch(/^buildkit /);
  });

  test("--builder legacy keeps PATH, and leaves DOCKER_BUILDKIT unset where legacy is the client's default", async () => {
    const env: NodeJS.ProcessEnv = { PATH: path, DOCKER_BUILDKIT: '1' };
    await useBuilder('legacy', { env });
    expect(env).toEqual({ PATH: path });
    expect(await detectBuilder(env)).toBe('legacy');
  });

  test('with no client that has BuildKit, fails at once, saying what this machine has and how to record a variant', async () => {
    const env: NodeJS.ProcessEnv = { PATH: '/usr/local/bin' };
    const use = useBuilder('buildkit', { env, packaged: [], record: (builder) => `lesson layers -u --builder ${builder}` });
    await expect(use).rejects.toThrow(BuilderUnavailable);
    await expect(use).rejects.toThrow(/the buildkit builder is needed.*docker 28\.\d+\.\d+ at \/usr\/local\/bin\/docker \(legacy\).*`lesson layers -u --builder legacy`/);
    expect(env.DOCKER_BUILDKIT).toBeUndefined();
  });
});
