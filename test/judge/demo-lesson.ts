import type { Lesson, Step } from '../../src/types.js';

/** A lesson of these steps with the default settings, as the judge tests give it to the judge. */
export const demoLesson = (steps: Step[]): Lesson => ({
  name: 'demo',
  path: 'lessons/demo.md',
  settings: { requires: [], timeoutMs: 1000, prompts: [], normalize: { disable: [], rules: [] } },
  requires: [],
  inferred: [],
  sections: [],
  steps,
});
