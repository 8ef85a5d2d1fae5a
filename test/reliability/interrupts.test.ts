// SIGINT and SIGTERM sent to `lesson` at its busiest moments (engine starting, a step with a container
// up, an interactive step in its pseudo-terminal, a person's shell): it must end, with the signal's exit
// status, and leave nothing of its run on the machine, and no half-written or locked snapshot. How fast it
// ends is measured by bench/, not asserted here: the ceilings below only catch a hang.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { cli, dockerSkipReason, root } from '../helpers.js';
import { Footprint } from './footprint.js';

const skip = dockerSkipReason();
if (skip) console.warn(`interrupt tests skipped: ${skip}`);

type Phase = 'engine start' | 'command step' | 'interactive step' | 'person shell';
type Signal = 'SIGINT' | 'SIGTERM';

/** The commands interrupted, as command lines: add one here to cover it. */
const commands: Record<string, (page: string, snapshots: string) => string[]> = {
  // The pages tell the test where they stand by touching a file of the test's: outside the sandbox.
  run: (page, snapshots) => ['run', page, '--snapshots', snapshots, '--no-sandbox'],
  'run -u': (page, snapshots) => ['run', page, '-u', '--snapshots', snapshots, '--no-sandbox'],
  'run --watch': (page, snapshots) => ['run', page, '--watch', '--snapshots', snapshots, '--no-sandbox'],
  check: (page, snapshots) => ['check', page, '--snapshots', snapshots, '--no-sandbox'],
  shell: (page, snapshots) => ['shell', page, '--snapshots', snapshots, '--no-sandbox'],
};

const cases: [string, Phase, Signal][] = [
  ['run', 'engine start', 'SIGINT'],
  ['run', 'command step', 'SIGINT'],
  ['run', 'command step', 'SIGTERM'],
  ['run', 'interactive step', 'SIGINT'],
  ['run -u', 'command step', 'SIGINT'],
  ['run -u', 'interactive step', 'SIGTERM'],
  ['run --watch', 'command step', 'SIGINT'],
  ['check', 'engine start', 'SIGTERM'],
  ['check', 'command step', 'SIGINT'],
  ['shell', 'command step', 'SIGTERM'],
  ['shell', 'person shell', 'SIGTERM'],
];

const work = mkdtempSync(join(tmpdir(), 'lesson-interrupts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let interrupts = 0;
afterAll(() => console.info(`interrupts sent: ${interrupts}, each followed by a search for what the run left behind`));

/** A lesson that reaches `phase` and stays there; it touches `ready` once there. */
function pageFor(phase: Phase, dir: string, ready: string): string {
  const hang = {
    'engine start': [`$ touch ${ready} && sleep 1000`],
    'command step': [`$ touch ${ready} && sleep 1000`],
    'interactive step': [`$ docker run -it -v ${dir}:/m alpine`, '/ # touch /m/ready && sleep 1000'],
    'person shell': ['$ echo done'],
  }[phase];
  const page = join(dir, 'hang.md');
  writeFileSync(page, ['---', 'requires: [docker]', 'timeout: 10m', '---', '# Hang', '', '```console', '$ docker run -d alpine sleep 1000', ...hang, '```', ''].join('\n'));
  return page;
}

async function until(condition: () => boolean, child: { exitCode: number | null }, what: () => string): Promise<void> {
  while (!condition()) {
    if (child.exitCode !== null) throw new Error(`lesson exited before ${what()}`);
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

describe.skipIf(skip)('an interrupted lesson ends and leaves nothing behind', () => {
  test.each(cases)('%s, during the %s, on %s', async (command, phase, signal) => {
    const dir = mkdtempSync(join(work, 'case-'));
    const snapshots = join(dir, 'snapshots');
    const ready = join(dir, 'ready');
    const page = pageFor(phase, dir, ready);
    const footprint = new Footprint();
    try {
      const child = execa('node', [cli, ...commands[command]!(page, snapshots)], {
        cwd: root,
        env: { NO_COLOR: '1', CI: '', ...footprint.env },
        all: true,
        reject: false,
      });
      let output = '';
      child.all!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));

      if (phase === 'engine start') {
        await until(() => footprint.now().some((line) => line.includes('dockerd')), child, () => `its engine started:\n${output}`);
      } else if (phase === 'person shell') {
        await until(() => output.includes('exit or Ctrl-D ends the shell'), child, () => `the shell opened:\n${output}`);
      } else {
        await until(() => existsSync(ready), child, () => `the step hung:\n${output}`);
        // The footprint must see what it is meant to catch, or its being empty later proves nothing.
        const during = footprint.now().join('\n');
        expect(during).toMatch(/: dockerd /);
        expect(during).toMatch(/: containerd /);
        expect(during).toMatch(/: bash --noprofile --norc -c/);
        expect(during).toMatch(/: sleep 1000/);
        if (phase === 'interactive step') expect(during).toMatch(/: docker run -it -v/);
      }

      const sent = performance.now();
      child.kill(signal);
      const ended = await child;
      const elapsed = performance.now() - sent;
      interrupts++;
      console.info(`${command}, ${phase}, ${signal}: ended after ${Math.round(elapsed)} ms`);
      expect(ended.exitCode, output).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(elapsed, output).toBeLessThan(10_000);
      expect(footprint.now()).toEqual([]);
      // Never a half-written snapshot, nor a lock: a run that was cut short writes nothing.
      expect(existsSync(snapshots) ? readdirSync(snapshots) : []).toEqual([]);
    } finally {
      footprint.remove();
    }
  });
});

describe('an interrupted recording of a lesson without Docker', () => {
  test('after any of its steps, leaves the old snapshot or the whole new one, never a part, a temp file or a lock', async () => {
    const dir = mkdtempSync(join(work, 'storm-'));
    const page = join(dir, 'quick.md');
    const snapshots = join(dir, 'snapshots');
    const steps = 20;
    // Step i ends once gate/i exists: the test decides how far a run gets before it is interrupted.
    const gate = join(dir, 'gate');
    const open = (count: number) => {
      rmSync(gate, { recursive: true, force: true });
      mkdirSync(gate);
      for (let i = 0; i < count; i++) writeFileSync(join(gate, String(i)), '');
    };
    const commands = Array.from({ length: steps }, (_, i) => `$ seq 1 ${2000 + i} && until [ -e ${gate}/${i} ]; do sleep 0.01; done`);
    writeFileSync(page, ['# Quick', '', '```console', ...commands, '```', ''].join('\n'));
    open(steps);
    const record = (folder: string, env: Record<string, string> = {}) =>
      execa('node', [cli, 'run', page, '-u', '--snapshots', folder, '--no-sandbox'], { cwd: root, env: { NO_COLOR: '1', CI: '', ...env }, all: true, reject: false, buffer: false });
    // Recorded once whole, then changed: every later run rewrites the snapshot.
    expect((await record(snapshots)).exitCode).toBe(0);
    const old = readFileSync(join(snapshots, 'quick.yaml'), 'utf8');
    writeFileSync(page, readFileSync(page, 'utf8').replace('seq 1 2000', 'seq 2 2000'));
    const fresh = join(dir, 'fresh');
    await record(fresh);
    const whole = readFileSync(join(fresh, 'quick.yaml'), 'utf8');

    const footprint = new Footprint();
    try {
      for (let done = 0; done <= steps; done++) {
        open(done);
        const child = record(snapshots, footprint.env);
        let output = '';
        child.all!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
        // Interrupted once `done` steps have ended: during the next one, or after the last, around the writing of the snapshot.
        const ended = () => output.match(/quick\.md:\d+ /g)?.length ?? 0;
        await until(() => output.includes(page) && ended() >= done, child, () => `${done} steps ended:\n${output}`);
        // The census must see the lesson's shell while a step waits in it, or its being empty later proves nothing.
        if (done < steps) await until(() => footprint.now().some((line) => /: bash --noprofile --norc -c/.test(line)), child, () => `the census saw the lesson's shell:\n${output}`);
        const sent = performance.now();
        child.kill('SIGINT');
        const result = await child;
        interrupts++;
        // After the last step the run may be cut short while writing (130), have ended by itself (0), or be
        // done and no longer catching signals, so that node dies of it as any program does.
        if (done < steps) expect(result.exitCode, output).toBe(130);
        else expect([0, 130, 'SIGINT'], output).toContain(result.exitCode ?? result.signal);
        expect(performance.now() - sent).toBeLessThan(10_000);
        expect(footprint.now()).toEqual([]);
        expect(readdirSync(snapshots)).toEqual(['quick.yaml']);
        expect([old, whole]).toContain(readFileSync(join(snapshots, 'quick.yaml'), 'utf8'));
        writeFileSync(join(snapshots, 'quick.yaml'), old);
      }
    } finally {
      footprint.remove();
    }
  });
});
