import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { mayHoldBuild, normalizeBuildKit, rewriteBuilds } from '../../src/normalize/buildkit.js';
import { normalizeRun } from '../../src/normalize/index.js';

// Outputs of real builds: Debian's docker 20.10 client with DOCKER_BUILDKIT=1 against a private dockerd
// 20.10, each build recorded in three runs (`<build>.run<N>.txt`). `stages` has three stages running
// at once; `copy` loads a build context while FROM resolves; `fail` ends on an error.
const folder = new URL('../fixtures/buildkit/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, folder), 'utf8');
const recorded = readdirSync(folder).filter((name) => /\.run\d\.txt$/.test(name));
const builds = [...new Set(recorded.map((name) => name.replace(/\.run\d\.txt$/, '')))];
const settings = { disable: [], rules: [] };
const normalize = (outputs: string[]) => normalizeRun(outputs, { settings });

/** A recorded build as vertices: number, name and lines in the order each vertex printed them. */
function vertices(text: string): { all: Array<{ number: number; name: string; lines: string[] }>; after: string } {
  // What follows the last vertex line (an error's trailer) is printed once the build is over.
  const end = text.search(/^(?!#\d+ |$)/m);
  const build = end < 0 ? text : text.slice(0, end - 1);
  const found = new Map<number, { number: number; name: string; lines: string[] }>();
  for (const block of build.split('\n\n')) {
    const [header = '', ...rest] = block.split('\n');
    const [, number = '', name = ''] = /^#(\d+) (.*)$/.exec(header) ?? [];
    const vertex = found.get(Number(number)) ?? { number: Number(number), name, lines: [] };
    found.set(vertex.number, vertex);
    // `#5 ...` says the vertex goes on later: it is printed again wherever a reprint cuts it.
    vertex.lines.push(...rest.map((line) => line.replace(/^#\d+ /, '')).filter((line) => line !== '...'));
  }
  return { all: [...found.values()], after: end < 0 ? '' : `\n${text.slice(end)}` };
}

/**
 * The same build as BuildKit could print it on another run: vertices numbered in another order and
 * their lines cut in pieces that interleave with the other vertices', each piece under its name again.
 * The prelude, the build's first vertices, keeps its place: nothing else runs before it.
 */
const reprinted = (text: string) => {
  const { all, after } = vertices(text);
  return fc
    .tuple(
      fc.shuffledSubarray(all.map((vertex) => vertex.number), { minLength: all.length, maxLength: all.length }),
      fc.array(fc.nat(all.length - 1), { minLength: all.length, maxLength: all.length * 4 }),
      fc.array(fc.nat(), { minLength: all.length * 4, maxLength: all.length * 4 }),
    )
    .map(([numbers, picks, cuts]) => {
      const renumber = new Map(all.map((vertex, index) => [vertex.number, numbers[index] ?? vertex.number]));
      const left = all.map((vertex) => ({ ...vertex, next: 0 }));
      const blocks: string[] = [];
      const print = (vertex: (typeof left)[number], count: number) => {
        const number = `#${renumber.get(vertex.number)} `;
        const lines = vertex.lines.slice(vertex.next, vertex.next + count);
        vertex.next += count;
        const more = vertex.next < vertex.lines.length ? ['...'] : [];
        blocks.push([vertex.name, ...lines, ...more].map((line) => number + line).join('\n'));
      };
      let cut = 0;
      for (const pick of picks) {
        const vertex = left[pick];
        if (vertex && vertex.next < vertex.lines.length) print(vertex, 1 + ((cuts[cut++] ?? 0) % (vertex.lines.length - vertex.next)));
      }
      for (const vertex of left) if (vertex.next < vertex.lines.length || vertex.lines.length === 0) print(vertex, vertex.lines.length - vertex.next);
      return blocks.join('\n\n') + after;
    });
};

describe('the buildkit normalizer, on recorded builds', () => {
  test.each(builds)('%s: every recorded run gives one text', (build) => {
    const runs = recorded.filter((name) => name.startsWith(`${build}.run`)).map(fixture);
    expect(runs.length).toBeGreaterThan(1);
    const [first, ...others] = runs.map((text) => normalize([text])[0]);
    for (const other of others) expect(other).toBe(first);
  });

  test.each(builds)('%s: the same text however the vertices were numbered and interleaved', (build) => {
    const original = fixture(`${build}.run1.txt`);
    const expected = normalizeBuildKit(original);
    fc.assert(
      fc.property(reprinted(original), (text) => {
        expect(normalizeBuildKit(text)).toBe(expected);
      }),
      { numRuns: 100 },
    );
  });

  test('three stages at once: each stage in its place, its log lines together, numbered from 1', () => {
    const text = normalizeBuildKit(fixture('stages.run1.txt'));
    const headers = text.split('\n').filter((line, index, lines) => index === 0 || lines[index - 1] === '');
    expect(headers).toEqual([
      '#1 [internal] load build definition from Dockerfile.stages',
      '#2 [internal] load .dockerignore',
      '#3 [internal] load metadata for docker.io/library/alpine:latest',
      '#4 [<stage>] FROM docker.io/library/alpine',
      '#5 [one 2/2] RUN echo one > /one && sleep 0.3',
      '#6 [stage-3 2/5] COPY --from=one /one /one',
      '#7 [stage-3 3/5] COPY --from=two /two /two',
      '#8 [stage-3 4/5] COPY --from=three /bin/sh /sh3',
      '#9 [stage-3 5/5] RUN cat /one /two',
      '#10 [three 2/2] RUN echo three && echo more lines',
      '#11 [two 2/3] RUN echo two > /two',
      '#12 [two 3/3] RUN echo two again',
      '#13 exporting to image',
    ]);
    expect(text).toContain('#10 [three 2/2] RUN echo three && echo more lines\n#10 1.176 three\n#10 1.176 more lines\n#10 DONE 1.2s\n');
    expect(text).not.toMatch(/sha256:[0-9a-f]{64}$|^#\d+ \.\.\.$/m);
  });

  test('keeps CACHED, the image written and its name; the second build of the Layers page shows the reused step', () => {
    const [base, layers2, again] = normalize([fixture('base.run1.txt'), fixture('layers2.run1.txt'), fixture('layers2-again.run1.txt')]);
    expect(base).toContain('#6 writing image sha256:<id-1> done\n#6 naming to docker.io/revollat/layers1 done');
    expect(layers2).toContain('#5 [2/3] RUN touch /test\n#5 CACHED\n\n#6 [3/3] RUN touch /autre-fichier\n#6 DONE <duration>');
    expect(layers2).toContain('writing image sha256:<id-2> done');
    expect(again).toContain('#6 [3/3] RUN touch /autre-fichier\n#6 CACHED');
    expect(again).toContain('writing image sha256:<id-2> done');
  });

  test('a build whose step changed still differs, and so does one that ran what it had cached', () => {
    const layers2 = fixture('layers2.run1.txt');
    const changed = layers2.replaceAll('RUN touch /autre-fichier', 'RUN touch /autre');
    expect(normalize([changed])[0]).not.toBe(normalize([layers2])[0]);
    const again = fixture('layers2-again.run1.txt');
    expect(normalize([again])[0]).not.toBe(normalize([layers2])[0]);
    const otherImage = layers2.replace(/writing image sha256:[0-9a-f]{64}/, `writing image sha256:${'1'.repeat(64)}`);
    expect(normalize([layers2, layers2])).not.toEqual(normalize([layers2, otherImage]));
  });

  test('a failed build keeps its error and the quoted log, without the times', () => {
    const text = normalize([fixture('fail.run1.txt')])[0];
    expect(text).toContain('#5 <duration> before\n#5 ERROR: executor failed running [/bin/sh -c echo before && exit 3]: exit code: 3\n------\n > [2/2] RUN echo before && exit 3:\n------');
    const quoted = '------\n > [2/2] RUN echo before && exit 3:\n0.419 before\n------';
    expect(normalizeBuildKit(`#1 [2/2] RUN x\n#1 ERROR: boom\n${quoted}\nboom`)).toContain('\n > [2/2] RUN echo before && exit 3:\nbefore\n------');
  });

  test('two builds in one output stay two, each numbered on its own, with what was printed between them', () => {
    const base = fixture('base.run1.txt');
    const text = normalizeBuildKit(`${base}\nbuilt one\n${fixture('layers2.run2.txt')}`);
    expect(text.split('\n').filter((line) => line.startsWith('#1 [internal] load build definition'))).toHaveLength(2);
    expect(text).toContain('#6 DONE 0.0s\nbuilt one\n#1 [internal] load build definition from Dockerfile\n');
  });

  test('is idempotent on every recorded build', () => {
    for (const name of recorded) {
      const once = normalize([fixture(name)]);
      expect(normalize(once)).toEqual(once);
    }
  });

  test('drops in-progress statuses that a later one completes, and keeps the last', () => {
    const text = '#4 [internal] load build context\n#4 transferring context:\n#4 transferring context: 1.2MB 0.5s\n#4 transferring context: 3.4MB 1.1s done\n#4 DONE 1.1s';
    expect(normalizeBuildKit(text)).toBe('#4 [internal] load build context\n#4 transferring context: <size> done\n#4 DONE 1.1s');
    const pull = '#2 [1/2] FROM x\n#2 sha256:ab 1.1MB / 3.6MB 0.1s\n#2 sha256:ab 3.6MB / 3.6MB 0.2s done\n#2 DONE 0.3s';
    expect(normalizeBuildKit(pull)).toBe('#2 [1/2] FROM x\n#2 sha256:ab 3.6MB / 3.6MB done\n#2 DONE 0.3s');
    expect(normalizeBuildKit('#7 exporting to image\n#7 exporting layers\n#7 exporting layers done')).toBe('#7 exporting to image\n#7 exporting layers done');
    // Whether a finished status shows its time depends on timing too.
    expect(normalizeBuildKit('#7 exporting to image\n#7 naming to docker.io/x 0.0s done')).toBe(normalizeBuildKit('#7 exporting to image\n#7 naming to docker.io/x done'));
  });
});

describe('the buildkit normalizer, on generated text', () => {
  const piece = fc.oneof(
    fc.constantFrom('#1 ', '#12 ', '# ', '#a ', ' #1 ', '#1', '\n', '\n\n', '[2/3] RUN x', 'DONE 0.3s', 'CACHED', '...', '------', '0.419 ', 'transferring context: 2B done'),
    fc.string({ maxLength: 6 }),
  );
  const text = fc.array(piece, { maxLength: 20 }).map((pieces) => pieces.join(''));

  test('its quick test skips nothing it would change', () => {
    fc.assert(
      fc.property(text, (sample) => {
        if (!mayHoldBuild.test(sample)) expect(rewriteBuilds(sample)).toBe(sample);
      }),
      { numRuns: 2000 },
    );
  });

  test('is idempotent, never throws, and keeps every line that is not a vertex line', () => {
    fc.assert(
      fc.property(text, (sample) => {
        const once = normalizeBuildKit(sample);
        expect(normalizeBuildKit(once)).toBe(once);
        const others = (value: string) => value.split('\n').filter((line) => line !== '' && !/^#\d+ /.test(line) && !/^\d+\.\d+ /.test(line));
        expect(others(once)).toEqual(others(sample));
      }),
      { numRuns: 2000 },
    );
  });
});

// Not recorded here: no engine with the containerd image store runs on this machine. Written from
// Docker's documentation of buildx's plain progress with that store (docs.docker.com, "containerd
// image store"): the image is exported as a manifest, a config and an attestation, then unpacked.
describe('the buildkit normalizer, on a build with the containerd image store (written from the docs)', () => {
  const text = readFileSync(new URL('docs/layers2.containerd-store.txt', folder), 'utf8').trimEnd();

  test('the same text however the vertices were numbered and interleaved', () => {
    const expected = normalizeBuildKit(text);
    fc.assert(
      fc.property(reprinted(text), (shuffled) => {
        expect(normalizeBuildKit(shuffled)).toBe(expected);
      }),
      { numRuns: 100 },
    );
  });

  test('every digest numbered, the reused step CACHED, the export in the order it ran', () => {
    const [normalized = ''] = normalize([text]);
    expect(normalized).not.toMatch(/[0-9a-f]{64}/);
    expect(normalized).toContain('#5 [2/3] RUN touch /test\n#5 CACHED');
    const exported = normalized.slice(normalized.indexOf('#7 exporting to image'));
    expect(exported.split('\n').map((line) => line.replace(/<id-\d+>/, '<id>'))).toEqual([
      '#7 exporting to image',
      '#7 exporting layers done',
      '#7 exporting manifest sha256:<id> done',
      '#7 exporting config sha256:<id> done',
      '#7 exporting attestation manifest sha256:<id> done',
      '#7 exporting manifest list sha256:<id> done',
      '#7 naming to docker.io/revollat/layers2:latest done',
      '#7 unpacking to docker.io/revollat/layers2:latest done',
      '#7 DONE <duration>',
    ]);
    expect(new Set(exported.match(/<id-\d+>/g)).size).toBe(4);
  });
});

describe('what is no build', () => {
  test('a line that starts with `#1 ` but names no vertex a build opens with is left as it is', () => {
    const uname = '#1 SMP PREEMPT_DYNAMIC x\n\n#1 SMP PREEMPT_DYNAMIC x';
    expect(rewriteBuilds(uname)).toBe(uname);
    expect(rewriteBuilds('#1 in the queue\n#2 done')).toBe('#1 in the queue\n#2 done');
  });
});
