/**
 * Hands out `<kind-1>`, `<kind-2>`… by first appearance of a key. One numbering lives for one whole
 * run, so the same object keeps its number across every output of that run — and a value that was
 * reused in one run but not in another shows up as a different number in the snapshot.
 */
export type Numbering = (key: string) => string;

export function createNumbering(kind: string): Numbering {
  const seen = new Map<string, number>();
  return (key) => {
    let number = seen.get(key);
    if (number === undefined) {
      number = seen.size + 1;
      seen.set(key, number);
    }
    return `<${kind}-${number}>`;
  };
}
