import type { Command } from 'commander';
import type { CommandName } from './command-names.js';
import { defineCheck } from './commands/check.js';
import { defineClean } from './commands/clean.js';
import { defineFix } from './commands/fix.js';
import { defineImages } from './commands/images.js';
import { defineLint } from './commands/lint.js';
import { defineNew } from './commands/new.js';
import { definePlan } from './commands/plan.js';
import { defineRun } from './commands/run.js';
import { defineShell } from './commands/shell.js';

/** Each command's description, arguments, options and action, added to the command of its name. */
export const commands: Record<CommandName, (command: Command) => void> = {
  run: defineRun,
  plan: definePlan,
  lint: defineLint,
  check: defineCheck,
  fix: defineFix,
  new: defineNew,
  shell: defineShell,
  clean: defineClean,
  images: defineImages,
};
