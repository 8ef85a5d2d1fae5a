import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { buildkitId, hexId, mayHoldId, overlayLink, replaceIds } from '../../src/normalize/ids.js';
import { normalizeRun } from '../../src/normalize/index.js';

const settings = { disable: [], rules: [] };
const engine = '/tmp/lesson-Qi6cLX';
const normalize = (outputs: string[]) => normalizeRun(outputs, { settings, paths: { [engine]: '<engine>' } });

const base36 = fc.string({ unit: fc.constantFrom(...'0123456789abcdefghijklmnopqrstuvwxyz'), minLength: 25, maxLength: 25 });
// BuildKit's IDs are random 128-bit numbers: one without a digit or without a letter is too rare to matter.
const buildkitIds = base36.filter((id) => /\d/.test(id) && /[a-z]/.test(id));

// Each shape in which docker prints a BuildKit ID, from `docker image inspect` (20.10 with BuildKit, as
// recorded in test/fixtures/buildkit/inspect-layers1.json), `docker buildx du` and `docker builder prune`,
// `docker buildx history ls` and the link a buildx build prints (from Docker's documentation of those
// commands), and `docker system df -v`, which cuts the cache ID to 12 characters.
const shapes: Array<[string, (id: string) => string]> = [
  ['an overlay2 folder', (id) => `        "MergedDir": "${engine}/data/overlay2/${id}/merged",\n        "UpperDir": "${engine}/data/overlay2/${id}/diff",`],
  ['a build cache record in `docker buildx du`', (id) => `${id}*\ttrue \t4.1MB\t2 minutes ago`],
  ['a cache record pruned', (id) => `Deleted build cache objects:\n${id}`],
  ['a build ref in `docker buildx history ls`', (id) => `${id}  Completed  2 minutes ago  1.2s`],
  ['a buildx build link', (id) => `View build details: docker-desktop://dashboard/build/default/default/${id}`],
  ['a cache row in `docker system df -v`', (id) => `CACHE ID       CACHE TYPE     SIZE      CREATED         LAST USED       USAGE     SHARED\n${id.slice(0, 12)}   regular        4.19MB    2 minutes ago   2 minutes ago   1         false`],
];

describe('BuildKit IDs', () => {
  test.each(shapes)('%s: numbered, the same ID as one placeholder across outputs, two IDs as two', (_, shape) => {
    fc.assert(
      fc.property(buildkitIds, buildkitIds, (one, two) => {
        fc.pre(one.slice(0, 12) !== two.slice(0, 12));
        const [first, second, third] = normalize([shape(one), shape(two), shape(one)]);
        for (const text of [first, second, third]) {
          expect(text).not.toContain(one.slice(0, 12));
          expect(text).not.toContain(two.slice(0, 12));
        }
        const placeholders = (text = '') => [...text.matchAll(/<id-\d+>/g)].map((match) => match[0]);
        expect(placeholders(first).length).toBeGreaterThan(0);
        expect(placeholders(third)).toEqual(placeholders(first));
        expect(placeholders(second)).not.toEqual(placeholders(first));
      }),
      { numRuns: 200 },
    );
  });

  test('in a real inspect: the image folder is one placeholder in MergedDir, UpperDir and WorkDir, apart from the base layer', () => {
    const [text = ''] = normalize([readFileSync(new URL('../fixtures/buildkit/inspect-layers1.json', import.meta.url), 'utf8')]);
    const folder = (key: string) => new RegExp(`"${key}": "<engine>/data/overlay2/(<id-\\d+>)/`).exec(text)?.[1];
    expect(folder('MergedDir')).toMatch(/^<id-\d+>$/);
    expect(folder('UpperDir')).toBe(folder('MergedDir'));
    expect(folder('WorkDir')).toBe(folder('MergedDir'));
    expect(folder('LowerDir')).toMatch(/^<id-\d+>$/);
    expect(folder('LowerDir')).not.toBe(folder('MergedDir'));
  });

  test.each([
    ['a word of 25 letters', 'internationalizationsxyzw'],
    ['25 digits', '1234567890123456789012345'],
    ['a 26-character name', 'abcdefghij0123456789abcdef'],
    ['12 characters outside a cache table', 'a4ofdwx9j9y8 regular'],
  ])('leaves %s alone', (_, text) => {
    expect(normalize([text])).toEqual([text]);
  });

  test('the quick test skips no text any ID pattern would change', () => {
    const piece = fc.oneof(base36, buildkitIds, fc.constantFrom('CACHE ID       CACHE TYPE\n', 'l/', '\n', ' ', '*', '-'), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const text = pieces.join('');
        if (mayHoldId.test(text)) return;
        for (const pattern of [hexId, overlayLink, buildkitId]) expect(text.search(pattern)).toBe(-1);
        expect(replaceIds()(text)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});
