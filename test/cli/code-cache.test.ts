// The CLI starts through V8's code cache (src/cli/bin.cts): written by a command's first run, used by the
// next, replaced when V8 refuses it, never in the way of the command itself.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { lesson, root } from '../helpers.js';

let cacheHome: string;
const folder = () => join(cacheHome, 'lesson');
const caches = () => (existsSync(folder()) ? readdirSync(folder()).filter((name) => name.startsWith('code-')) : []);
const run = (args: string[]) => lesson(args, { env: { XDG_CACHE_HOME: cacheHome } });
const plan = () => run(['plan', join(root, 'lessons/layers.md')]);

beforeEach(() => {
  cacheHome = mkdtempSync(join(tmpdir(), 'lesson-code-cache-'));
});

describe('the code cache', () => {
  test('is written by the first run of a command, one per command, and kept by the runs after it', async () => {
    const first = await plan();
    expect(first.exitCode).toBe(0);
    expect(caches()).toEqual([expect.stringMatching(/^code-[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+-plan\.bin$/)]);
    const written = statSync(join(folder(), caches()[0]!)).mtimeMs;

    const second = await plan();
    expect(second.all).toBe(first.all);
    // Not written again: V8 took it.
    expect(statSync(join(folder(), caches()[0]!)).mtimeMs).toBe(written);

    expect((await run(['--version'])).exitCode).toBe(0);
    expect(caches().map((name) => name.replace(/^.*-/, ''))).toEqual(['options.bin', 'plan.bin']);
  });

  test('damaged anywhere (V8 itself checks only its header and length) is replaced, and the command runs all the same', async () => {
    await plan();
    const file = join(folder(), caches()[0]!);
    const good = readFileSync(file);
    const damaged = Buffer.from(good);
    // The middle of V8's data: taken as it is, this crashes V8 (`Fatal error ... unreachable code`).
    for (let i = 0; i < 64; i++) damaged[Math.floor(good.length / 2) + i]! ^= 0xff;
    for (const content of [damaged, Buffer.from('not a code cache')]) {
      writeFileSync(file, content);
      const again = await plan();
      expect(again.exitCode).toBe(0);
      expect(again.stdout).toContain('docker build -t revollat/layers1');
      expect(readFileSync(file).equals(content)).toBe(false);
    }
  });

  test('is not written by a run that stops at bad input: that run compiled little of the command', async () => {
    const result = await run(['plan', 'no-such-lesson']);
    expect(result.exitCode).toBe(2);
    expect(caches()).toEqual([]);
    await plan();
    expect(caches()).toHaveLength(1);
  });

  test("of other builds is removed, so rebuilding while editing doesn't fill the disk", async () => {
    mkdirSync(folder(), { recursive: true });
    const stale = 'code-0123456789abcdef-v20.0.0-x64-plan.bin';
    writeFileSync(join(folder(), stale), 'an older build');
    // What a write cut short leaves behind, of this build: its name is the cache's, and a pid.
    const current = (await run(['--version']), caches()[0]!);
    const leftover = `${current.replace('options', 'lint')}.12345`;
    writeFileSync(join(folder(), leftover), 'half a cache');
    writeFileSync(join(folder(), 'alpine-standin-1.tar'), 'not ours to remove');
    await plan();
    expect(caches()).not.toContain(stale);
    expect(caches()).not.toContain(leftover);
    expect(caches()).toContain(current);
    expect(readdirSync(folder())).toContain('alpine-standin-1.tar');
  });

  test('cannot be written: the command runs all the same', async () => {
    // A file where the folder should be (a read-only folder would not stop root).
    writeFileSync(folder(), 'a file, not a folder');
    const result = await plan();
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('docker build -t revollat/layers1');
    expect(result.stderr).toBe('');
  });
});
