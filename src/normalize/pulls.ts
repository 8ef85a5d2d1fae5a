import type { Transform } from './transform.js';

// What docker prints for a layer while pulling it without a terminal. Layers download three at a time
// and in any order, so these lines interleave differently on every run; only each layer's last word
// says something about the image.
const LAYER_STATE = /^([0-9a-f]{12}): (Pulling fs layer|Waiting|Downloading|Verifying Checksum|Download complete|Extracting|Pull complete|Already exists|Retrying in \d+ seconds?)$/;
const HEADER = /^\S+: Pulling from \S+$/;
const FINAL = new Set(['Pull complete', 'Already exists']);

/**
 * The `pulls` normalizer: the per-layer progress of a `docker pull` (or of a `docker run` that pulls)
 * becomes one line per layer, in the order the layers first show (the image's own order, in which
 * docker announces them), each with its final state: `Pull complete`, `Already exists`, or for a pull
 * cut short, the last state it reached. Every other line, "Unable to find image 'x' locally" and the
 * digest included, stays as it is.
 */
export const collapsePulls: Transform = (text) => {
  if (!text.includes(': Pulling from ')) return text;
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    out.push(line);
    if (!HEADER.test(line.trimEnd())) continue;
    const last = new Map<string, string>();
    let j = i + 1;
    for (let match; j < lines.length && (match = LAYER_STATE.exec(lines[j]!.trimEnd())); j++) {
      const [, layer, state] = match as unknown as [string, string, string];
      // A final state stays final: no later line of the same layer undoes it.
      if (!FINAL.has(last.get(layer) ?? '')) last.set(layer, state);
    }
    for (const [layer, state] of last) out.push(`${layer}: ${state}`);
    i = j - 1;
  }
  return out.join('\n');
};
