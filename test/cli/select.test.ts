import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { lessonName, listLessons } from '../../src/cli/lessons.js';
import { inPool } from '../../src/cli/pool.js';
import { inShard, parseShard, selectLessons } from '../../src/cli/select.js';
import { InputError } from '../../src/errors.js';

describe('--shard i/n', () => {
  const paths = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}\/[a-z0-9-]{1,12}\.md$/), { maxLength: 40 });
  const count = fc.integer({ min: 1, max: 12 });
  const shards = (all: string[], n: number) => Array.from({ length: n }, (_, i) => inShard(all, { index: i + 1, count: n }));

  test('the shards together hold every lesson exactly once', () => {
    fc.assert(
      fc.property(paths, count, (all, n) => {
        const union = shards(all, n).flat();
        expect([...union].sort()).toEqual([...all].sort());
        expect(new Set(union).size).toBe(union.length);
      }),
    );
  });

  test('shard sizes differ by one at most', () => {
    fc.assert(
      fc.property(paths, count, (all, n) => {
        const sizes = shards(all, n).map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  test('a shard depends on the set of lessons, not the order they were found in', () => {
    fc.assert(
      fc.property(paths.chain((all) => fc.tuple(fc.constant(all), fc.shuffledSubarray(all, { minLength: all.length }))), count, ([all, shuffled], n) => {
        expect(shards(shuffled, n)).toEqual(shards(all, n));
      }),
    );
  });

  test('parses i/n and rejects what is not a shard', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '2', 'a/b', '1/2/3', '-1/2']) expect(() => parseShard(bad), bad).toThrow(InputError);
  });
});

describe('selecting lessons', () => {
  let cwd: string;
  const original = process.cwd();
  afterEach(() => process.chdir(original));

  function tree(): void {
    cwd = mkdtempSync(join(tmpdir(), 'lesson-select-'));
    process.chdir(cwd);
    mkdirSync('lessons');
    mkdirSync('extra/deep', { recursive: true });
    for (const file of ['lessons/b.md', 'lessons/a.md', 'lessons/notes.txt', 'extra/c.md', 'extra/deep/d.md']) writeFileSync(file, '# page\n');
  }

  test('no argument: every page in lessons/, sorted', () => {
    tree();
    expect(selectLessons([])).toEqual(['lessons/a.md', 'lessons/b.md']);
  });

  test('names, files, folders and globs, each page once', () => {
    tree();
    expect(selectLessons(['b', 'extra', 'lessons/*.md', 'extra/**/*.md', 'lessons/b.md'])).toEqual([
      'extra/c.md',
      'extra/deep/d.md',
      'lessons/a.md',
      'lessons/b.md',
    ]);
  });

  test('a .markdown or .MD page is listed, named and selected as a .md one is', () => {
    tree();
    for (const file of ['lessons/e.markdown', 'lessons/f.MD']) writeFileSync(file, '# page\n');
    expect(listLessons()).toEqual(['a', 'b', 'e', 'f']);
    expect(selectLessons([])).toEqual(['lessons/a.md', 'lessons/b.md', 'lessons/e.markdown', 'lessons/f.MD']);
    expect(selectLessons(['e'])).toEqual(['lessons/e.markdown']);
    expect(lessonName('lessons/f.MD')).toBe('f');
  });

  test('a glob that matches no page, an unknown name and an empty lessons/ are errors, not an empty run', () => {
    tree();
    expect(() => selectLessons(['nothing/*.md'])).toThrow(/no Markdown file matches nothing\/\*\.md/);
    expect(() => selectLessons(['zzz'])).toThrow(/unknown lesson "zzz"/);
    expect(() => selectLessons([], 'extra/deep/none')).toThrow(InputError);
  });
});

describe('the pool', () => {
  /** Work that finishes only when the test says so, recording how many run at once. */
  function controlled() {
    let running = 0;
    let most = 0;
    const waiting: (() => void)[] = [];
    const work = async (item: number) => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => waiting.push(resolve));
      running--;
      return item * 10;
    };
    const finishOne = async () => {
      // Let started work reach its await before releasing it.
      await new Promise((resolve) => setImmediate(resolve));
      waiting.shift()?.();
    };
    return { work, finishOne, most: () => most, started: () => waiting.length };
  }

  test('runs at most `jobs` at once, starts the next as soon as one ends, and keeps the order of results', async () => {
    const pool = controlled();
    const done = inPool([1, 2, 3, 4, 5], 2, pool.work);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pool.started()).toBe(2);
    for (let i = 0; i < 5; i++) await pool.finishOne();
    expect(await done).toEqual([10, 20, 30, 40, 50]);
    expect(pool.most()).toBe(2);
  });

  test('more jobs than items: everything at once', async () => {
    const pool = controlled();
    const done = inPool([1, 2, 3], 8, pool.work);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pool.started()).toBe(3);
    for (let i = 0; i < 3; i++) await pool.finishOne();
    expect(await done).toEqual([10, 20, 30]);
  });
});
