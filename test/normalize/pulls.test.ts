import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeRun } from '../../src/normalize/index.js';
import { collapsePulls } from '../../src/normalize/pulls.js';

// Recorded from docker 20.10 pulling the test upstream's stand-ins through the image cache, without a
// terminal; the two python pulls are the same image pulled twice, printed in two different orders.
function recorded(name: string): string {
  return readFileSync(new URL(`../fixtures/outputs/pulls/${name}`, import.meta.url), 'utf8');
}

const normalize = (outputs: string[]): string[] => normalizeRun(outputs, { settings: { disable: [], rules: [] } });

const LAYER_LINE = /^[0-9a-f]{12}: /;

/**
 * The same pull printed in another order docker could have printed it: each layer's own lines keep
 * their order, layers are announced in the image's order, and everything else stays in place.
 */
function reorder(text: string, picks: number[]): string {
  const lines = text.split('\n');
  const first = lines.findIndex((line) => LAYER_LINE.test(line));
  let end = first;
  while (end < lines.length && LAYER_LINE.test(lines[end]!)) end++;
  const queues = new Map<string, string[]>();
  for (const line of lines.slice(first, end)) {
    const layer = line.slice(0, 12);
    queues.set(layer, [...(queues.get(layer) ?? []), line]);
  }
  const layers = [...queues.keys()];
  const out: string[] = [];
  let announced = 0;
  for (let n = 0; out.length < end - first; n++) {
    // Only layers already announced, or the next one to announce, may print.
    const ready = layers.slice(0, announced + 1).filter((layer) => queues.get(layer)!.length > 0);
    const layer = ready[(picks[n % picks.length] ?? 0) % ready.length]!;
    if (layers.indexOf(layer) === announced) announced++;
    out.push(queues.get(layer)!.shift()!);
  }
  return [...lines.slice(0, first), ...out, ...lines.slice(end)].join('\n');
}

describe('the pulls normalizer', () => {
  it('gives one line per layer, in the image order, with its final state; the rest stays', () => {
    expect(collapsePulls(recorded('run-ubuntu.txt'))).toBe(
      [
        "Unable to find image 'ubuntu:latest' locally",
        'latest: Pulling from library/ubuntu',
        'b2ce036ba389: Pull complete',
        '691981f2dce3: Pull complete',
        'Digest: sha256:64bca4c0c2b788de45f0163f9103933958bee42fcab7bad0766686526798be51',
        'Status: Downloaded newer image for ubuntu:latest',
        'hi',
      ].join('\n'),
    );
    expect(collapsePulls(recorded('pull-clock-shared.txt'))).toContain('latest: Pulling from jpetazzo/clock\nb2ce036ba389: Already exists\n5532668abb5f: Pull complete\nDigest:');
  });

  it('prints the same for two pulls of one image that docker printed in different orders', () => {
    const [once, again] = [recorded('pull-python-6-layers.txt'), recorded('pull-python-6-layers.rerun.txt')];
    expect(once).not.toBe(again);
    expect(normalize([once])).toEqual(normalize([again]));
    expect(normalize([once])[0]).toContain('<id-1>: Already exists\n<id-2>: Pull complete\n<id-3>: Pull complete\n<id-4>: Pull complete\n<id-5>: Pull complete\n<id-6>: Pull complete\nDigest: sha256:<id-7>');
  });

  it('prints the same for any order docker could print a pull in', () => {
    for (const name of ['run-ubuntu.txt', 'pull-python-6-layers.txt', 'pull-clock-shared.txt']) {
      const text = recorded(name);
      const expected = collapsePulls(text);
      fc.assert(
        fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), (picks) => {
          expect(collapsePulls(reorder(text, picks))).toBe(expected);
        }),
      );
    }
  });

  it('keeps the last state of a pull cut short, and is idempotent', () => {
    const cut = ['latest: Pulling from library/redis', '0123456789ab: Pulling fs layer', 'abcdef012345: Pulling fs layer', 'abcdef012345: Waiting', '0123456789ab: Downloading', 'error pulling image configuration: unexpected EOF'].join('\n');
    const once = collapsePulls(cut);
    expect(once).toBe(['latest: Pulling from library/redis', '0123456789ab: Downloading', 'abcdef012345: Waiting', 'error pulling image configuration: unexpected EOF'].join('\n'));
    expect(collapsePulls(once)).toBe(once);
  });

  it('leaves alone what is not a pull: a push, and lines that only look like layers', () => {
    const push = ['The push refers to repository [localhost:5000/bonjour]', '0123456789ab: Preparing', '0123456789ab: Pushed'].join('\n');
    expect(collapsePulls(push)).toBe(push);
    const lookalike = ['0123456789ab: Pull complete', '0123456789ab: Downloading'].join('\n');
    expect(collapsePulls(lookalike)).toBe(lookalike);
  });
});
