// `lesson shell`, driven as a person would: in a real pseudo-terminal, typing at the shell's prompt.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runInTerminal } from '../../src/run/terminal.js';
import { cli, dockerSkipReason, lesson, root } from '../helpers.js';
import { Footprint } from '../reliability/footprint.js';

const skipDocker = dockerSkipReason();

/** A folder that is the CLI's TMPDIR too, so everything a run creates (and leaves) is found in it. */
function pageIn(text: string): { dir: string; page: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-sh-'));
  const page = join(dir, 'page.md');
  writeFileSync(page, text);
  return { dir, page };
}

function shell(dir: string, args: string[], typed: string) {
  return runInTerminal({
    command: ['node', cli, 'shell', ...args].map((word) => `'${word}'`).join(' '),
    cwd: root,
    env: { ...(process.env as Record<string, string>), NO_COLOR: '1', CI: '', TMPDIR: dir, HISTFILE: '/dev/null' },
    input: [typed],
    keys: [],
    timeoutMs: 90_000,
    cols: 200,
  });
}

describe('lesson shell', () => {
  test("--bail stops at the failure and opens the shell there, with the lesson's directory, variables and functions", async () => {
    const { dir, page } = pageIn(
      ['# Plain', '', '```console', '$ mkdir here && cd here', '$ NAME=plain', '$ greet() { echo "hello $NAME"; }', '$ ls missing.txt', '$ touch after.txt', '```', ''].join('\n'),
    );
    const run = await shell(dir, [page, '--bail'], 'greet; ls; echo "in $PWD"; exit 3');
    expect(run.screen).toMatch(new RegExp(`✗ ${page}:7 {2}ls missing\\.txt`));
    expect(run.screen).toContain(`next on the page: ${page}:8`);
    expect(run.screen).toMatch(/^hello plain$/m);
    // Nothing after the failure ran: no after.txt in the listing, which is empty.
    expect(run.screen).toMatch(/^hello plain\nin \S+\/work\/here$/m);
    expect(run.screen).toContain('shell closed');
    expect(run.exitCode).toBe(3);
    expect(readdirSync(dir)).toEqual(['page.md']);
  });

  test('--until takes a line number', async () => {
    const { page } = pageIn('# Page\n');
    const run = await lesson(['shell', page, '--until', 'end']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('a line number of the page');
  });

  test.skipIf(skipDocker)(
    "--until N runs the steps up to line N; the shell talks to the lesson's engine, which is gone once it exits",
    async () => {
      const { dir, page } = pageIn(
        [
          '---',
          'requires: [docker]',
          '---',
          '# Shell',
          '',
          '```console',
          '$ GREETING=bonjour',
          '$ docker run -d --name first alpine sleep 1000',
          '$ docker run -d --name second alpine sleep 1000',
          '```',
          '',
        ].join('\n'),
      );
      // A TMPDIR of its own, long enough that the engine lives in /tmp: the census must follow it there.
      const footprint = new Footprint(tmpdir(), 'lesson-sh-run-');
      const seen = footprint.watch();
      const run = await shell(footprint.tmp, [page, '--until', '8'], 'docker container ls --format "name={{.Names}}"; echo "greeting=$GREETING"; exit');
      expect(run.screen).toContain('next on the page');
      expect(run.screen).toMatch(/^name=first$/m);
      expect(run.screen).not.toMatch(/^name=second$/m);
      expect(run.screen).toMatch(/^greeting=bonjour$/m);
      expect(run.exitCode).toBe(0);
      // No engine process (shims and containers included), mount, cgroup or folder, and no snapshot written;
      // the census saw each of them while the shell was open, or its being empty now would prove nothing.
      const during = seen().join('\n');
      for (const kind of [/^process: dockerd /m, /^process: \S*containerd-shim/m, /^process: sleep 1000$/m, /^mount /m, /^cgroup /m]) expect(during).toMatch(kind);
      expect(footprint.now()).toEqual([]);
      footprint.remove();
      expect(readdirSync(dir)).toEqual(['page.md']);
    },
  );
});
