/** Where reporters write: a stream, or anything with its `write`. */
export interface Output {
  write(text: string): unknown;
}

const flushAfterMs = 50;

/**
 * Gathers writes for a few milliseconds before passing them on. A log file or a CI pipe shows no
 * difference, while a lesson of a thousand quick steps makes a handful of writes instead of a
 * thousand (measured in docs/performance.md). A terminal gets every write at once instead.
 */
export function batched(out: Output): Output & { flush(): void } {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    process.off('exit', flush);
    if (pending) out.write(pending);
    pending = '';
  };
  return {
    write(text: string) {
      pending += text;
      if (timer) return;
      timer = setTimeout(flush, flushAfterMs);
      // Whatever is still gathered when the process ends is written then.
      process.once('exit', flush);
    },
    flush,
  };
}
