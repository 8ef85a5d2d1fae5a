import pc from 'picocolors';
import { lessonNetwork } from '../plan/network.js';
import type { CommandStep, Lesson, NetworkChoice, ShellStep, Step } from '../types.js';

/** The plan as a person reads it: each step at its line under its section; sections with no step are prose. */
export function planText(lesson: Lesson, flag?: NetworkChoice): string {
  const lines = [`${pc.bold(lesson.settings.title ?? lesson.name)} ${pc.dim(lesson.path)}`];
  if (lesson.requires.length > 0) {
    const named = lesson.requires.map((program) => (lesson.inferred.includes(program) ? `${program} ${pc.dim('(read from the steps)')}` : program));
    lines.push(`${pc.dim('requires')} ${named.join(', ')}`);
  }
  const network = lessonNetwork(lesson, flag);
  if (lesson.requires.includes('docker') || network === 'outbound') lines.push(`${pc.dim('network')} ${network} ${pc.dim(networkScope[network])}`);
  // Each step placed by a binary search: filtering every step per section was quadratic on big pages.
  const bySection = lesson.sections.map((): Step[] => []);
  for (const step of lesson.steps) bySection[sectionAt(lesson, step.line)]?.push(step);
  lesson.sections.forEach((section, i) => {
    const steps = bySection[i] ?? [];
    lines.push(`${pc.dim(String(section.line).padStart(4))} ${pc.bold(section.title)}${steps.length === 0 ? pc.dim('  (prose)') : ''}`);
    for (const step of steps) {
      lines.push(`${pc.dim(String(step.line).padStart(4))}   ${step.kind.padEnd(11)} ${detail(step, lesson)}`);
      lines.push(...shown(step));
    }
  });
  return lines.join('\n');
}

const networkScope: Record<NetworkChoice, string> = {
  none: '(the engine and its containers reach nothing outside)',
  outbound: '(the engine and its containers reach the outside through slirp4netns)',
};

/** How many lines of the output a page shows under a step the plan repeats: enough to tell it was read as output. */
const shownLines = 3;

/** The first lines of the output the page shows under the step, then `…` when there are more. */
function shown(step: Step): string[] {
  if (step.kind === 'file' || step.kind === 'skip' || step.expected === undefined) return [];
  const all = step.expected.split('\n');
  const first = all.slice(0, shownLines).map((line) => pc.dim(`                  │ ${line}`));
  return all.length > shownLines ? [...first, pc.dim('                  │ …')] : first;
}

/** Index of the last section starting at or before `line`; -1 before the first. */
function sectionAt(lesson: Lesson, line: number): number {
  let [low, high] = [0, lesson.sections.length - 1];
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((lesson.sections[middle]?.line ?? Infinity) <= line) low = middle + 1;
    else high = middle - 1;
  }
  return high;
}

function detail(step: Step, lesson: Lesson): string {
  switch (step.kind) {
    case 'file':
      return step.path;
    case 'skip':
      return pc.dim(step.reason);
    case 'command':
      // A block run as a whole in another terminal: its commands on one line, as typed there one after the other.
      return (step.background ? step.command.replaceAll('\n', pc.dim(' ⏎ ')) : step.command) + refused(step) + inBackground(step);
    case 'interactive': {
      const typed = step.input.length ? pc.dim(` ⟶ typed: ${step.input.join(' ⏎ ')}`) : '';
      const keys = step.keys ? pc.dim(` ⟶ keys: ${step.keys.join(' ')}`) : '';
      return step.command + typed + keys + refused(step);
    }
    case 'session-input': {
      const keys = step.keys ? pc.dim(` ⟶ keys: ${step.keys.join(' ')}`) : '';
      const opened = lesson.steps.find((other) => other.id === step.session);
      return `${pc.dim(`typed in the session of line ${opened?.line ?? step.session}:`)} ${step.input.join(' ⏎ ')}${keys}`;
    }
  }
}

/** Where a background command runs and where the lesson stops it. */
function inBackground(step: CommandStep): string {
  const { background } = step;
  if (!background) return '';
  const { stop } = background;
  const until = stop.by === 'end' ? 'the lesson ends' : `line ${stop.line} (${stopWords[stop.by]})`;
  return pc.dim(` ⟶ in the background (${background.reason}), named ${background.name}, until ${until}`);
}

const stopWords = { annotation: 'stop annotation', 'ctrl-c': 'Ctrl+C on the page', kill: 'the page kills it' } as const;

function refused(step: ShellStep): string {
  return step.otherEngine ? pc.yellow(`  (${step.otherEngine}: runs only with --engine host)`) : '';
}
