import { fileUses, type FileUse } from './file-uses.js';
import type { Finding, Rule } from './rule.js';

/** A write that gives the read its file: the same path, or a file inside it when it names a folder. */
function provides(write: FileUse, path: string, fold: (text: string) => string): boolean {
  return fold(write.path) === fold(path) || fold(write.path).startsWith(`${fold(path)}/`);
}

const exact = (text: string) => text;
const folded = (text: string) => text.toLowerCase();

/**
 * A file written as `Hello.c` and read as `hello.c`, or written twice with names that differ only
 * in case: on Linux these are different files. Reported, never silently fixed.
 */
export const fileCase: Rule = ({ lesson }) => {
  const { uses } = fileUses(lesson);
  const writes = uses.filter((use) => use.kind === 'write');
  const findings: Finding[] = [];
  for (const use of uses) {
    const paths = use.oneOf ?? [use.path];
    const others = use.kind === 'read' ? writes : writes.filter((write) => write.line < use.line);
    if (use.kind === 'read' && writes.some((write) => paths.some((path) => provides(write, path, exact)))) continue;
    const near = others.find((write) => write.path !== use.path && paths.some((path) => provides(write, path, folded)));
    if (!near) continue;
    const what = use.kind === 'read' ? `\`${use.written}\` is read here, but the page writes` : `\`${use.written}\` is written here, and the page also writes`;
    findings.push({
      line: use.line,
      severity: use.kind === 'read' ? 'error' : 'warning',
      rule: 'file-case',
      message: `${what} \`${near.written}\` (line ${near.line}): the names differ in case, and on Linux they are two files`,
    });
  }
  return findings;
};

/** A command that reads a file no step writes, or writes only later. Not for files that may come from a clone or a download. */
export const missingFile: Rule = ({ lesson }) => {
  const { uses, unknownFrom } = fileUses(lesson);
  const writes = uses.filter((use) => use.kind === 'write');
  const findings: Finding[] = [];
  for (const read of uses.filter((use) => use.kind === 'read')) {
    const paths = read.oneOf ?? [read.path];
    const givers = writes.filter((write) => paths.some((path) => provides(write, path, folded)));
    const inCase = givers.filter((write) => paths.some((path) => provides(write, path, exact)));
    if (inCase.length < givers.length) continue; // a name that differs in case: file-case says so
    if (inCase.some((write) => read.anyTime || write.line <= read.line)) continue;
    if (givers.length === 0 && unknownFrom !== undefined && unknownFrom <= read.line) continue;
    const later = givers[0];
    findings.push({
      line: read.line,
      severity: 'warning',
      rule: 'missing-file',
      message: later
        ? `\`${read.written}\` is read here, but the step that writes it comes later (line ${later.line})`
        : `\`${read.written}\` is read here, but no step writes it${read.oneOf ? ` (nor ${read.oneOf.slice(1).join(', ')})` : ''}`,
    });
  }
  return findings;
};
