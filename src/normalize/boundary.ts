/**
 * Regex source for "a value starts here": not glued to a letter, digit or `_` before it. The end of
 * an escape sequence counts as a boundary too, so that with `ansi` disabled a coloured
 * `\x1b[1mca3c65e5b8e7` is still an ID, although `m` is a letter.
 */
export const valueStart = '(?:(?<![0-9A-Za-z_])|(?<=\\x1b\\[[0-?]*[ -/]*[@-~]))';

/** Regex source for "the value ends here": no letter, digit or `_` follows. */
export const valueEnd = '(?![0-9A-Za-z_])';
