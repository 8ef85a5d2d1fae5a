import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatSnapshot, readSnapshot } from '../../src/snapshot/store.js';
import { differingFacts, factsOf, mergeVariant, selectVariant, variantsOf } from '../../src/snapshot/variants.js';
import { InputError } from '../../src/errors.js';
import type { Snapshot, SnapshotEntry } from '../../src/types.js';

const folder = mkdtempSync(join(tmpdir(), 'lesson-variants-'));
// snapshots/layers.yaml as it was before variants: one variant, recorded with the legacy builder.
const committed = new URL('../fixtures/buildkit/layers.single-variant.yaml', import.meta.url);
const legacy = { builder: 'legacy', engine: '20', mode: 'private' };
const buildkit = { builder: 'buildkit', engine: '20', mode: 'private' };

/** Through the file and back, as `lesson -u` writes it and the next run reads it. */
function roundTrip(snapshot: Snapshot): Snapshot {
  const file = join(folder, 'round.yaml');
  writeFileSync(file, formatSnapshot(snapshot));
  return readSnapshot(file) as Snapshot;
}

function selected(file: Snapshot, facts: Record<string, string>): Snapshot {
  const selection = selectVariant(file, facts);
  if (!('snapshot' in selection)) throw new Error(selection.mismatch);
  return selection.snapshot;
}

const entry = (output: string, line = 1): SnapshotEntry => ({ line, command: 'docker build .', exit: 0, output });
const buildkitEnvironment = { 'docker client': '20.10.24+dfsg1', 'docker server': '20.10.24+dfsg1', builder: 'buildkit (built into docker 20.10.24+dfsg1)' };

describe('snapshot variants', () => {
  test('facts come from the environment a snapshot records', () => {
    expect(factsOf({ 'docker client': '28.2.2', 'docker server': '20.10.24+dfsg1', builder: 'legacy' })).toEqual(legacy);
    expect(factsOf(buildkitEnvironment)).toEqual(buildkit);
    expect(factsOf({ 'docker server': 'unavailable', builder: 'buildkit (buildx v0.25.0)' })).toEqual({ builder: 'buildkit' });
    expect(factsOf({})).toEqual({});
    expect(differingFacts(legacy, { builder: 'legacy' })).toEqual([]);
    // The user's own engine and Compose's major version are facts too.
    const host = factsOf({ 'docker server': '28.2.2', builder: 'buildkit (buildx v0.25.0)', 'engine mode': 'host', compose: '2.29.1' });
    expect(host).toEqual({ builder: 'buildkit', engine: '28', mode: 'host', compose: '2' });
    expect(differingFacts(legacy, { ...legacy, mode: 'host' })).toEqual(['mode']);
    expect(factsOf({ 'docker server': '20.10.24+dfsg1', builder: 'legacy', compose: '1.29.2' })).toEqual({ ...legacy, compose: '1' });
  });

  test('the committed single-variant file reads as it is, and is the variant for the legacy builder on engine 20', () => {
    const file = readSnapshot(committed.pathname) as Snapshot;
    expect(file.variants).toBeUndefined();
    expect(selected(file, legacy)).toEqual(file);
    // Nothing a machine does not say rules a variant out.
    expect(selected(file, {})).toEqual(file);
  });

  test('a machine no variant fits is told which facts differ', () => {
    const file = readSnapshot(committed.pathname) as Snapshot;
    const selection = selectVariant(file, { builder: 'buildkit', engine: '28' });
    expect(selection).toMatchObject({ mismatch: expect.stringMatching(/fits this machine \(builder buildkit, engine 28\).*builder legacy, engine 20, mode private \(differs: builder legacy here buildkit, engine 20 here 28\)/) });
  });

  test('a second variant holds only the entries that differ, and each variant reads back exactly as written', () => {
    const file = readSnapshot(committed.pathname) as Snapshot;
    const written: Snapshot = {
      lesson: file.lesson,
      environment: buildkitEnvironment,
      steps: { ...file.steps, 'réutilisation-des-layers-dans-les-images-3': entry('#1 [internal] load build definition from Dockerfile.base', 25) },
    };
    const merged = roundTrip(mergeVariant(file, written));
    expect(Object.keys(merged.variants?.[0]?.steps ?? {})).toEqual(['réutilisation-des-layers-dans-les-images-3']);
    expect(merged.steps).toEqual(file.steps);
    expect(selected(merged, legacy)).toEqual(file);
    expect(selected(merged, buildkit)).toEqual(written);
    expect(readFileSync(committed, 'utf8')).toBe(formatSnapshot(file));
  });

  test('-u on one variant keeps the others as they were, even where they shared an entry that changes', () => {
    const main: Snapshot = { lesson: 'l.md', environment: { builder: 'legacy' }, steps: { a: entry('same'), b: entry('legacy b') } };
    const other: Snapshot = { lesson: 'l.md', environment: { builder: 'buildkit' }, steps: { a: entry('same'), b: entry('buildkit b') } };
    const both = mergeVariant(mergeVariant(undefined, main), other);
    expect(both.variants?.[0]?.steps).toEqual({ b: entry('buildkit b') });
    const changedMain: Snapshot = { ...main, steps: { a: entry('changed'), b: entry('legacy b') } };
    const after = roundTrip(mergeVariant(both, changedMain));
    expect(selected(after, { builder: 'legacy' })).toEqual(changedMain);
    expect(selected(after, { builder: 'buildkit' })).toEqual(other);
  });

  test('a step the lesson no longer has goes from every variant', () => {
    const main: Snapshot = { lesson: 'l.md', environment: { builder: 'legacy' }, steps: { a: entry('a'), gone: entry('legacy') } };
    const other: Snapshot = { lesson: 'l.md', environment: { builder: 'buildkit' }, steps: { a: entry('a'), gone: entry('buildkit') } };
    const after = mergeVariant(mergeVariant(mergeVariant(undefined, main), other), { ...main, steps: { a: entry('a') } });
    expect(after.steps).toEqual({ a: entry('a') });
    expect(after.variants?.[0]?.steps).toEqual({});
  });

  test('any sequence of recordings: each variant reads back as its last recording, the first stays main', () => {
    const facts = fc.record({ builder: fc.constantFrom('legacy', 'buildkit'), engine: fc.constantFrom('20', '28') });
    // One lesson, whose steps keep their ids: what each variant printed for them changes.
    const output = fc.constantFrom('x', 'y', 'z').map((text) => entry(text));
    const steps = fc.record({ a: output, b: output, c: output });
    const recording = fc.tuple(facts, steps).map(([each, entries]): Snapshot => ({
      lesson: 'l.md',
      environment: { builder: each.builder, 'docker server': `${each.engine}.0.1` },
      steps: entries,
    }));
    fc.assert(
      fc.property(fc.array(recording, { minLength: 1, maxLength: 8 }), (recordings) => {
        let file: Snapshot | undefined;
        const last = new Map<string, Snapshot>();
        for (const written of recordings) {
          file = roundTrip(mergeVariant(file, written));
          last.set(JSON.stringify(factsOf(written.environment)), written);
        }
        if (!file) return;
        expect(factsOf(file.environment)).toEqual(factsOf(recordings[0]!.environment));
        expect(variantsOf(file)).toHaveLength(last.size);
        for (const [key, written] of last) {
          const chosen = selected(file, JSON.parse(key) as Record<string, string>);
          expect(chosen).toEqual(written);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('a broken variant in a file names its line', () => {
    const file = join(folder, 'broken.yaml');
    writeFileSync(file, 'lesson: l.md\nenvironment: {}\nsteps: {}\nvariants:\n  - environment: { builder: buildkit }\n    steps:\n      a:\n        output: x\n');
    expect(() => readSnapshot(file)).toThrowError(InputError);
    expect(() => readSnapshot(file)).toThrowError(expect.objectContaining({ line: 7, message: expect.stringMatching(/variant 1: step "a" has no numeric "exit"/) }));
    writeFileSync(file, 'lesson: l.md\nenvironment: {}\nsteps: {}\nvariants: 3\n');
    expect(() => readSnapshot(file)).toThrowError(expect.objectContaining({ line: 4 }));
  });
});
