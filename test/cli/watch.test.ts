import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, test } from 'vitest';
import { cli, dockerSkipReason, root } from '../helpers.js';
import { Footprint } from '../reliability/footprint.js';

const skipDocker = dockerSkipReason();

/** `lesson run <page> --watch` as a child, with a way to wait for what it prints. */
function watch(page: string, snapshots: string, env: Record<string, string> = {}) {
  const child = execa('node', [cli, 'run', page, '--snapshots', snapshots, '--watch'], {
    cwd: root,
    env: { NO_COLOR: '1', CI: '', ...env },
    all: true,
    buffer: false,
    reject: false,
  });
  let output = '';
  const waiters: (() => void)[] = [];
  child.all!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  const count = (pattern: RegExp) => output.match(new RegExp(pattern.source, 'gm'))?.length ?? 0;
  return {
    child,
    output: () => output,
    /** Resolves once `pattern` has been printed `times` times in all. */
    async printed(pattern: RegExp, times: number): Promise<void> {
      while (count(pattern) < times) {
        if (child.exitCode !== null) throw new Error(`the watcher exited:\n${output}`);
        await new Promise<void>((wake) => waiters.push(wake));
      }
    },
  };
}

/** Saves as careful editors do, by renaming a whole new file over the old one: a slow machine never shows the watcher half a file. */
function save(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

const running: ReturnType<typeof watch>[] = [];
afterEach(async () => {
  for (const watcher of running.splice(0)) {
    watcher.child.kill('SIGINT');
    await watcher.child;
  }
});

describe('lesson run --watch', () => {
  test('runs again when the page or the snapshot changes, but not when its own run writes the snapshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-watch-'));
    const page = join(dir, 'loop.md');
    writeFileSync(page, '# Loop\n\n```\necho "v1"\n```\n');
    const watcher = watch(page, dir);
    running.push(watcher);
    const summaries = /^\d+ passed, \d+ failed/;

    await watcher.printed(/^watching /, 1);
    expect(watcher.output()).toContain(`snapshot written: ${join(dir, 'loop.yaml')}`);

    save(page, '# Loop\n\n```\necho "v2"\n```\n');
    await watcher.printed(/^watching /, 2);
    expect(watcher.output()).toContain(`${page} changed: running again`);
    expect(watcher.output()).toMatch(/-v1\n\s+\+v2/);

    // The author accepts the new output by editing the snapshot: that is a change too.
    const snapshot = join(dir, 'loop.yaml');
    save(snapshot, readFileSync(snapshot, 'utf8').replaceAll('v1', 'v2'));
    await watcher.printed(/^watching /, 3);
    expect(watcher.output()).toContain(`${snapshot} changed: running again`);
    expect(watcher.output().split('\n').filter((line) => summaries.test(line))).toEqual([
      '1 passed, 0 failed, 0 skipped',
      '0 passed, 1 failed, 0 skipped',
      '1 passed, 0 failed, 0 skipped',
    ]);
    expect(watcher.output().match(/running again/g)).toHaveLength(2);
  });

  test('a page broken mid-edit is reported, and the watch goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-watch-'));
    const page = join(dir, 'edit.md');
    writeFileSync(page, '# Edit\n\n```\necho ok\n```\n');
    const watcher = watch(page, dir);
    running.push(watcher);
    await watcher.printed(/^watching /, 1);
    save(page, '---\ntimeout: soon\n---\n# Edit\n');
    // The error goes to stderr, which may reach us after stdout's next lines.
    await watcher.printed(new RegExp(`^error ${page}:2: "timeout" must be a duration`), 1);
    await watcher.printed(/^watching /, 2);
    save(page, '# Edit\n\n```\necho ok\n```\n');
    await watcher.printed(/^watching /, 3);
    expect(watcher.output().trimEnd().split('\n').slice(-2)[0]).toBe('1 passed, 0 failed, 0 skipped');
  });

  test.skipIf(skipDocker)(
    'each re-run gets an engine as fresh as a cold run, started while waiting; Ctrl-C leaves nothing behind',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lesson-watch-'));
      const page = join(dir, 'fresh.md');
      // dockerd hands out subnets and host ports one after the other and never goes back, even once
      // the network and the container are gone: a reused engine would print 172.19.0.0/16 and 32769.
      writeFileSync(
        page,
        [
          '---',
          'requires: [docker]',
          '---',
          '# Fresh',
          '',
          '```console',
          "$ docker network create lessonnet >/dev/null && docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' lessonnet",
          '$ docker run -d -p 80 alpine sleep 1000 >/dev/null && docker port $(docker container ls -lq) 80/tcp | head -1',
          '```',
          '',
        ].join('\n'),
      );
      // Its own TMPDIR, so what it leaves behind is told apart from other runs on the machine; long
      // enough that the engines live in /tmp, where the census must follow them.
      const footprint = new Footprint(tmpdir(), 'lesson-watch-run-');
      const seen = footprint.watch();
      const watcher = watch(page, dir, footprint.env);
      running.push(watcher);
      await watcher.printed(/^watching /, 1);
      const recorded = readFileSync(join(dir, 'fresh.yaml'), 'utf8');
      expect(recorded).toContain('172.18.0.0/16');
      expect(recorded).toContain('0.0.0.0:32768');

      save(page, `${readFileSync(page, 'utf8')}\nOne more line of prose.\n`);
      await watcher.printed(/^watching /, 2);
      const rerun = watcher.output().split('running again')[1]!;
      expect(rerun).toMatch(/^\s+engine ready /m);
      expect(rerun).not.toMatch(/engine start|base image/);
      expect(rerun).toContain('2 passed, 0 failed, 0 skipped');

      watcher.child.kill('SIGINT');
      const ended = await watcher.child;
      expect(ended.exitCode).toBe(130);
      // Seen while up (two engines: the first run's and the one made ready for the next), gone now.
      const during = seen().join('\n');
      for (const kind of [/^process: dockerd /m, /^process: \S*containerd-shim/m, /^process: sleep 1000$/m, /^mount /m, /^cgroup /m]) expect(during).toMatch(kind);
      expect(footprint.engineCount).toBeGreaterThanOrEqual(2);
      expect(footprint.now()).toEqual([]);
      footprint.remove();
    },
  );
});
