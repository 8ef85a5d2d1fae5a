import type { Lesson } from '../types.js';

/** The fields of a step that `lesson plan --json` shows, in this order: the documented contract (docs/lessons.md). */
const contractFields = ['id', 'kind', 'line', 'path', 'command', 'session', 'input', 'keys', 'expected', 'reason', 'otherEngine', 'background'] as const;

/** The documented JSON contract of `lesson plan --json`. */
export function planJson(lesson: Lesson): string {
  const steps = lesson.steps.map((step) => {
    const fields = new Map<string, unknown>(Object.entries(step));
    return Object.fromEntries(contractFields.filter((field) => fields.get(field) !== undefined).map((field) => [field, fields.get(field)]));
  });
  return JSON.stringify({ lesson: lesson.path, requires: lesson.requires, inferred: lesson.inferred, steps }, null, 2);
}
