import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { normalizeRun } from '../../src/normalize/index.js';
import { NORMALIZERS, normalizerNote } from '../../src/normalize/version.js';

const settings = { disable: [], rules: [] };
const fixture = (name: string) => readFileSync(new URL(`../fixtures/buildkit/${name}`, import.meta.url), 'utf8');
// What version 1 wrote for a BuildKit build: no buildkit normalizer, so vertex digests became IDs.
const written1 = (outputs: string[]) => normalizeRun(outputs, { settings: { disable: ['buildkit'], rules: [] } });
const now = (outputs: string[]) => normalizeRun(outputs, { settings });

describe('normalizer versions', () => {
  const builds = [fixture('base.run1.txt'), fixture('layers2.run1.txt')];

  test('a snapshot older normalizers wrote, whose only differences are theirs, is said to have drifted in nothing', () => {
    const old = written1(builds);
    const ran = now(builds);
    expect(old).not.toEqual(ran);
    const drifts = old.map((expected, index) => ({ expected, actual: ran[index] ?? '' }));
    expect(normalizerNote(undefined, drifts, settings)).toBe(`recorded with normalizers 1, these are ${NORMALIZERS}, and they alone make the differences: nothing drifted; re-record with \`-u\``);
  });

  test('a real change among them is not put down to the normalizers', () => {
    const old = written1(builds);
    const ran = now([builds[0] ?? '', (builds[1] ?? '').replaceAll('touch /autre-fichier', 'touch /autre')]);
    const drifts = old.map((expected, index) => ({ expected, actual: ran[index] ?? '' }));
    expect(normalizerNote(1, drifts, settings)).toBeUndefined();
  });

  test("says nothing for a snapshot today's normalizers wrote, or when nothing differs", () => {
    expect(normalizerNote(NORMALIZERS, [{ expected: 'a', actual: 'b' }], settings)).toBeUndefined();
    expect(normalizerNote(1, [], settings)).toBeUndefined();
  });
});
