import pc from 'picocolors';
import type { Lesson, Step } from '../types.js';

const contractFields = ['id', 'kind', 'line', 'path', 'command', 'input', 'keys', 'expected', 'reason'] as const;

/** The documented JSON contract of `lesson plan --json` (docs/lessons.md). */
export function planJson(lesson: Lesson): string {
  const steps = lesson.steps.map((step) =>
    Object.fromEntries(contractFields.filter((field) => step[field] !== undefined).map((field) => [field, step[field]])),
  );
  return JSON.stringify({ lesson: lesson.path, steps }, null, 2);
}

/** The plan as a person reads it: each step at its line under its section; sections with no step are prose. */
export function planText(lesson: Lesson): string {
  const lines = [`${pc.bold(lesson.settings.title ?? lesson.name)} ${pc.dim(lesson.path)}`];
  lesson.sections.forEach((section, i) => {
    const end = lesson.sections[i + 1]?.line ?? Infinity;
    const steps = lesson.steps.filter((step) => step.line >= section.line && step.line < end);
    lines.push(`${pc.dim(String(section.line).padStart(4))} ${pc.bold(section.title)}${steps.length === 0 ? pc.dim('  (prose)') : ''}`);
    for (const step of steps) lines.push(`${pc.dim(String(step.line).padStart(4))}   ${step.kind.padEnd(11)} ${detail(step)}`);
  });
  return lines.join('\n');
}

function detail(step: Step): string {
  if (step.kind === 'file') return step.path!;
  if (step.kind === 'skip') return pc.dim(step.reason ?? '');
  const typed = step.input?.length ? pc.dim(` ⟶ typed: ${step.input.join(' ⏎ ')}`) : '';
  const keys = step.keys ? pc.dim(` ⟶ keys: ${step.keys.join(' ')}`) : '';
  return step.command + typed + keys;
}
