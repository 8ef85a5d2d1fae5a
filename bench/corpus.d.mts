/** Writes `count` pages of about `bytes` each into `dir`; returns their paths. */
export function writeCorpus(dir: string, count?: number, bytes?: number): string[];
