// Node 20 has no RegExp.escape.
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * A regex source matching any of `literals`. Alternatives are tried in order, so the longest goes
 * first: otherwise `/tmp/x` would win over `/tmp/x/work` and leave `/work` behind.
 */
export function anyOf(literals: Iterable<string>): string {
  return [...new Set(literals)]
    .filter((literal) => literal !== '')
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');
}
