import { InputError } from '../errors.js';
import type { Lesson, Step } from '../types.js';

/** What `-u` records when the command line names some steps: `--step ID` (repeatable), `-t PATTERN`. */
export interface StepChoice {
  ids: string[];
  /** A regular expression, tried on each step's id and on its command (or typed lines, or file path). */
  pattern?: string;
}

/**
 * The steps a partial recording records, as a test on a step; undefined when the command line names
 * none (everything is recorded). An id the lesson does not have, or a pattern no step matches, is an
 * InputError: a typo must not record nothing and say it passed. Pure.
 */
export function chosenSteps(lesson: Lesson, choice: StepChoice): ((step: Step) => boolean) | undefined {
  if (choice.ids.length === 0 && choice.pattern === undefined) return undefined;
  const known = new Set(lesson.steps.map((step) => step.id));
  const unknown = choice.ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const ids = lesson.steps.filter((step) => step.kind !== 'skip').map((step) => step.id);
    throw new InputError(`--step ${unknown[0]}: no such step; its steps: ${ids.slice(0, 12).join(', ')}${ids.length > 12 ? '…' : ''}`, lesson.path);
  }
  let regex: RegExp | undefined;
  if (choice.pattern !== undefined) {
    try {
      regex = new RegExp(choice.pattern);
    } catch (error) {
      throw new InputError(`-t ${JSON.stringify(choice.pattern)}: ${(error as Error).message}`);
    }
  }
  const ids = new Set(choice.ids);
  const matches = (step: Step) => regex !== undefined && [step.id, ...described(step)].some((text) => regex.test(text));
  const chosen = (step: Step) => ids.has(step.id) || matches(step);
  if (regex && !lesson.steps.some((step) => step.kind !== 'skip' && matches(step))) {
    throw new InputError(`-t ${JSON.stringify(choice.pattern)} matches no step's id or command`, lesson.path);
  }
  return chosen;
}

/** The texts of a step `-t` is tried on besides its id. */
function described(step: Step): string[] {
  switch (step.kind) {
    case 'file':
      return [step.path];
    case 'session-input':
      return step.input;
    case 'command':
    case 'interactive':
      return [step.command];
    case 'skip':
      return [];
  }
}
