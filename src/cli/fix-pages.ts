// `lesson fix`: each page run through the one run path (its outputs checked as `--check-page` checks
// them, nothing written to snapshots), then what really ran written under each command whose output
// no longer matches, in the page itself; or shown as a diff (--dry-run), or asked block by block (-i).

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createTwoFilesPatch, structuredPatch } from 'diff';
import pc from 'picocolors';
import { InputError } from '../errors.js';
import { applyFixes, planFixes, type BlockFix, type StepOutput } from '../fix/fix-page.js';
import { readPage, type ReadOptions } from '../parse/page.js';
import { decodeUtf8, maxPageBytes } from '../parse/text.js';
import { planLesson } from '../plan/index.js';
import { verifyLesson } from '../pipeline/verify-lesson.js';
import { ConsoleReporter, describe } from '../report/console.js';
import { Requirements } from '../run/requirements.js';
import { pageSettings } from './config-file.js';
import { lessonName } from './lessons.js';
import type { SharedFlags } from './options.js';

export interface FixFlags extends SharedFlags {
  dryRun: boolean;
  interactive: boolean;
  addMissing: boolean;
  builder?: 'legacy' | 'buildkit';
}

/** Fixes each page in turn; the exit code: 2 when a page changed on disk during its run, 1 when a step still fails, else 0. */
export async function fixPages(paths: string[], flags: FixFlags): Promise<number> {
  const asker = flags.interactive ? new Asker() : undefined;
  let status = 0;
  for (const path of paths) status = Math.max(status, await fixPage(path, flags, asker));
  return status;
}

async function fixPage(path: string, flags: FixFlags, asker: Asker | undefined): Promise<number> {
  const before = readBytes(path);
  const source = decodeUtf8(before, path);
  // Every output the page shows is compared, whatever its front matter says; a block marked check-page=false stays out.
  const read: ReadOptions = { ...pageSettings(), commandLine: { checkPage: true, origins: { 'check-page': 'command line' } } };
  const name = lessonName(path);
  const lesson = planLesson(readPage(source, path, name, read));
  if (lesson.requires.length > 0) {
    const missing = await new Requirements(flags.engine).missing(lesson.requires, lesson.settings.images);
    if (missing) {
      process.stdout.write(`${pc.yellow('skipped')} ${path}: cannot run here: ${missing}\n`);
      return 0;
    }
  }

  const outputs = new Map<string, StepOutput>();
  let paths: Record<string, string> = {};
  const report = await verifyLesson(
    lesson,
    {
      snapshots: flags.snapshots,
      engine: flags.engine,
      sandbox: flags.sandbox,
      bail: false,
      update: false,
      ci: false,
      // A fix writes the page, never a snapshot.
      write: false,
      builder: flags.builder ?? 'auto',
      onStepOutput: (result, normalized, context) => {
        outputs.set(result.step.id, { result, normalized });
        paths = { [context.workdir]: '<workdir>', ...(context.engineRoot && { [context.engineRoot]: '<engine>' }) };
      },
    },
    new ConsoleReporter(),
  );

  const plan = planFixes({ source, path, name, read, outputs, paths, addMissing: flags.addMissing });
  for (const { step, reason } of plan.left) process.stdout.write(`  ${pc.yellow('left')} ${path}:${step.line}  ${describe(step)}: ${reason}\n`);
  const chosen: BlockFix[] = [];
  for (const fix of plan.fixes) {
    if (!asker || (await asker.accepts(path, source, fix))) chosen.push(fix);
  }
  for (const fix of chosen) {
    process.stdout.write(`  ${pc.green(flags.dryRun ? 'would fix' : 'fixed')} ${path}:${fix.line}  ${describe(fix.step)}\n`);
    if (fix.warning) process.stdout.write(`    ${pc.yellow(`note: ${fix.warning}`)}\n`);
  }

  const fixed = new Set(chosen.filter((fix) => !fix.warning).map((fix) => fix.step.id));
  const failing = report.outcome.verdicts.filter((verdict) => verdict.status === 'failed' && !fixed.has(verdict.step.id));
  const status = failing.length > 0 ? 1 : 0;
  const after = applyFixes(source, chosen);
  if (after === source) {
    process.stdout.write(`${path}: ${plan.fixes.length === 0 ? 'nothing to fix' : 'unchanged'}\n`);
    return status;
  }
  if (flags.dryRun) {
    process.stdout.write(colourDiff(createTwoFilesPatch(path, path, source, after, '', '', { context: 3 })));
    process.stdout.write(`${path}: ${blocks(chosen.length)} would be fixed (--dry-run: nothing written)\n`);
    return status;
  }
  if (!writePage(path, before, after)) {
    process.stderr.write(`${pc.red('error')} ${path}: the page changed on disk while it ran: not overwritten; run lesson fix again\n`);
    return 2;
  }
  process.stdout.write(`${path}: ${blocks(chosen.length)} fixed\n`);
  return status;
}

function blocks(count: number): string {
  return `${count} block${count === 1 ? '' : 's'}`;
}

function readBytes(path: string): Buffer {
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw new InputError('not a regular file', path);
    if (stats.size > maxPageBytes) throw new InputError('too large for a page', path);
    return readFileSync(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, path);
  }
}

/**
 * Writes the page whole or not at all (a temp file beside it, flushed, renamed over it), unless it is
 * no longer what was read before the run: someone edited it meanwhile, and their edit wins. False then.
 */
function writePage(path: string, before: Buffer, text: string): boolean {
  const unchanged = () => readFileSync(path).equals(before);
  if (!unchanged()) return false;
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temp, 'wx', statSync(path).mode & 0o7777);
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (!unchanged()) {
      rmSync(temp, { force: true });
      return false;
    }
    renameSync(temp, path);
    return true;
  } catch (error) {
    rmSync(temp, { force: true });
    throw new InputError(`cannot write the page (${(error as Error).message}); it is unchanged`, path);
  }
}

function colourDiff(patch: string): string {
  if (!process.stdout.isTTY || process.env.NO_COLOR) return patch;
  return patch
    .split('\n')
    .map((line) => (line.startsWith('@@') ? pc.cyan(line) : line.startsWith('+') ? pc.green(line) : line.startsWith('-') ? pc.red(line) : line))
    .join('\n');
}

/** `-i`: asks about each block in the terminal, one key per answer, as `cram -i` does. */
class Asker {
  private all = false;
  private quit = false;

  async accepts(path: string, source: string, fix: BlockFix): Promise<boolean> {
    if (this.quit) return false;
    if (this.all) return true;
    const patch = structuredPatch(path, path, source, applyFixes(source, [fix]), '', '', { context: 2 });
    const shown = patch.hunks.flatMap((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines]);
    process.stdout.write(`\n${pc.bold(`${path}:${fix.line}`)}  ${describe(fix.step)}\n${colourDiff(shown.map((line) => line.replace(/\r$/, '')).join('\n'))}\n`);
    for (;;) {
      process.stdout.write('Fix this block? [y]es, [n]o, [a]ll the rest, [q]uit: ');
      const key = (await readKey()).toLowerCase();
      process.stdout.write(`${key.trim() || 'n'}\n`);
      if (key === 'y') return true;
      if (key === 'n' || key === '\r' || key === '\n') return false;
      if (key === 'a') {
        this.all = true;
        return true;
      }
      if (key === 'q') {
        this.quit = true;
        return false;
      }
    }
  }
}

/** One key from the terminal, in raw mode; Ctrl-C interrupts the command as it would anywhere else. */
function readKey(): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve) => {
    stdin.setRawMode(true);
    stdin.resume();
    stdin.once('data', (data) => {
      stdin.setRawMode(false);
      stdin.pause();
      const key = data.toString('utf8');
      if (key === '\x03') process.kill(process.pid, 'SIGINT');
      else resolve(key);
    });
  });
}
