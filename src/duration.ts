// Durations in the words pages and reports use: read from front matter and annotations, written in reports;
// and waiting on a promise for at most a duration.

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `"90s"`, `"2m"`, `"500ms"` or a bare number of seconds → milliseconds; undefined when unreadable. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value * 1000;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]) * units[match[2] ?? 's']!;
  return amount > 0 ? amount : undefined;
}

/** A duration as reports and failures state it: `340ms`, `2.3s`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}

/** `promise`'s value, or 'elapsed' if `ms` pass first; the timer goes either way, so it never keeps node alive. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'elapsed'> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<'elapsed'>((resolve) => (timer = setTimeout(resolve, ms, 'elapsed')));
  try {
    return await Promise.race([promise, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
