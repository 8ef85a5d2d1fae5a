#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import pc from 'picocolors';
import { InputError } from '../types.js';
import { loadLesson } from './lessons.js';
import { planJson, planText } from './plan.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('lesson')
  .description('Run Markdown tutorials for real and check every output against a normalized snapshot.')
  .version(version)
  .exitOverride()
  .showHelpAfterError('(lesson --help lists the commands)');

program
  .command('run', { isDefault: true })
  .description('run a lesson (a name in lessons/ or a path to a Markdown file) and check it against its snapshot')
  .argument('<lesson>', 'lesson name or Markdown file')
  .option('-u, --update', 'record new outputs and update the snapshot', false)
  .option('--snapshots <dir>', 'folder of snapshot files', 'snapshots')
  .addOption(new Option('--engine <engine>', 'Docker engine for lessons that need one').choices(['private', 'host']).default('private'))
  .option('--bail', 'stop at the first failing step', false)
  .action(async (reference: string, options: { update: boolean; snapshots: string; engine: 'private' | 'host'; bail: boolean }) => {
    const { runAndCheck } = await import('./run.js');
    const lesson = loadLesson(reference);
    process.exitCode = await runAndCheck(lesson, { ...options, ci: isCi() });
  });

program
  .command('plan')
  .description('print the steps a lesson would run, without running anything')
  .argument('<lesson>', 'lesson name or Markdown file')
  .option('--json', 'print the plan as JSON (see docs/lessons.md)', false)
  .action((reference: string, options: { json: boolean }) => {
    const lesson = loadLesson(reference);
    process.stdout.write((options.json ? planJson(lesson) : planText(lesson)) + '\n');
  });

function isCi(): boolean {
  return Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
}

try {
  await program.parseAsync();
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof InputError) {
    process.stderr.write(`${pc.red('error')} ${error.location ? `${error.location}: ` : ''}${error.message}\n`);
    return 2;
  }
  if (error instanceof Error && error.name === 'EngineUnavailable') {
    process.stderr.write(`${pc.red('error')} ${error.message}\n`);
    return 2;
  }
  throw error;
}
