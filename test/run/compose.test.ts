// Which Compose a lesson runs, and the pairing it refuses, on this machine's real programs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';
import { loadBaseImage } from '../../src/run/base-image.js';
import { collectProjects, composePlugin, findCompose, prepareCompose, unfitPairing, usesCompose } from '../../src/run/compose.js';
import { startPrivateEngine } from '../../src/run/engine.js';
import { dockerSkipReason } from '../helpers.js';

const plan = (markdown: string) => planLesson(readPage(markdown, 'page.md', 'page'));

describe('usesCompose', () => {
  it('sees both spellings on the host, not inside a container session or in prose', () => {
    expect(usesCompose(plan('```\ndocker compose up -d\n```\n'))).toBe(true);
    expect(usesCompose(plan('```\ncd app && docker-compose ps\n```\n'))).toBe(true);
    expect(usesCompose(plan('```\ndocker ps\necho docker compose\n```\n'))).toBe(false);
  });
});

describe('unfitPairing', () => {
  const v1 = { version: '1.29.2', plugin: false };
  it('refuses docker-compose 1.x on engines 25 and later, saying why and what to do', () => {
    expect(unfitPairing(v1, '26.1.5')).toMatch(/docker-compose 1\.29\.2 breaks on Docker engines 25 and later \(this one is 26\.1\.5\).*install the docker compose plugin/);
    expect(unfitPairing(v1, '25.0.0')).toBeDefined();
  });
  it('lets 1.x run on older engines, and the plugin on any', () => {
    expect(unfitPairing(v1, '20.10.24+dfsg1')).toBeUndefined();
    expect(unfitPairing(v1, '24.0.7')).toBeUndefined();
    expect(unfitPairing({ version: '2.29.1', plugin: true }, '28.2.2')).toBeUndefined();
    expect(unfitPairing(v1, 'unavailable')).toBeUndefined();
  });
});

const hasCompose = execaSync('sh', ['-c', 'docker compose version || command -v docker-compose'], { reject: false }).exitCode === 0;

describe.skipIf(!hasCompose)('the Compose this machine has', () => {
  const folder = mkdtempSync(join(tmpdir(), 'lesson-compose-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('is found, with its version', async () => {
    const compose = await findCompose(process.env);
    expect(compose?.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers `docker compose` through the plugin when only docker-compose 1.x is installed', async () => {
    const compose = await findCompose(process.env);
    if (compose?.plugin !== false) return; // the machine has the real plugin: nothing to stand in for
    const env = await composePlugin(join(folder, 'config'), compose);
    const version = await execa('docker', ['compose', 'version', '--short'], { env: { ...process.env, ...env }, reject: false });
    expect(version.stdout.trim()).toBe(compose.version);
  });

  it('refuses, before any step, a 1.x paired with an engine 25 or later', async () => {
    const compose = await findCompose(process.env);
    if (compose?.plugin !== false) return;
    await expect(prepareCompose(process.env, '26.1.5', join(folder, 'refused'))).rejects.toThrow(/breaks on Docker engines 25 and later/);
    await expect(prepareCompose(process.env, '20.10.24', join(folder, 'fine'))).resolves.toEqual({
      environment: { compose: compose.version },
      env: { DOCKER_CONFIG: join(folder, 'fine'), LESSON_COMPOSE_VERSION: compose.version },
    });
  });
});

describe.skipIf(!hasCompose || dockerSkipReason() !== undefined)('the projects a private engine knows', () => {
  it('are read from its containers after a step that runs Compose, and only then', async () => {
    const engine = await startPrivateEngine();
    const folder = mkdtempSync(join(tmpdir(), 'lesson-compose-'));
    try {
      await loadBaseImage(engine);
      const project = join(folder, 'demo');
      mkdirSync(project);
      writeFileSync(join(project, 'compose.yaml'), 'services:\n  web:\n    image: alpine\n    command: sleep 60\n');
      // Created, not started: `ps` would then be the first output to name the project.
      const compose = await findCompose(process.env);
      const program = compose?.plugin ? ['docker', 'compose'] : ['docker-compose'];
      await execa(program[0]!, [...program.slice(1), 'up', '--no-start'], { cwd: project, env: { ...process.env, ...engine.env } });
      const known: string[] = [];
      await collectProjects(engine.env.DOCKER_HOST, 'docker ps', known);
      expect(known).toEqual([]);
      await collectProjects(engine.env.DOCKER_HOST, 'docker compose ps', known);
      await collectProjects(engine.env.DOCKER_HOST, 'docker-compose ps', known);
      expect(known).toEqual(['demo']);
    } finally {
      await engine.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
