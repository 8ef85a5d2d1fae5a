import { outputLanguages, scriptLanguages, shellLanguages, windowsLanguages } from '../parse/languages.js';
import type { CodeBlock, Page } from '../parse/page.js';
import type { Lesson, OutputStep, Section, SessionInputStep, ShellStep, Step } from '../types.js';
import { InputError } from '../errors.js';
import { defaultTimeoutMs } from '../parse/front-matter.js';
import { PageBackground } from './background.js';
import { hasNoWayOut, noSessionReason, noWayOutTimeoutMs, PageSessions } from './page-sessions.js';
import { inferRequirements, otherEngine } from './requirements.js';
import { blockPlace, partsOf, type OutputPlace } from './places.js';
import { splitShellBlock, type ShellCommand } from './shell-block.js';
import { templateReason } from './templates.js';

/**
 * The page's blocks → the ordered steps a careful reader would take. Pure: nothing is run. With
 * `places`, it also says where the page shows each step's output (by step id), for `lesson fix`.
 */
export function planLesson(page: Page, places?: Map<string, OutputPlace>): Lesson {
  const prompts = page.settings.prompts.map((source) => new RegExp(source));
  const steps: Step[] = [];
  const counters = new Map<string, number>();
  /** Steps the current block gave so far, for its `id=`: the first is ID, the next ID-2, ID-3... */
  let inBlock = 0;
  const named = new Map<string, number>();
  const nextId = (block: CodeBlock, kind: Step['kind']) => {
    const key = kind === 'skip' ? `${block.section.slug}-skip` : block.section.slug;
    const n = (counters.get(key) ?? 0) + 1;
    // Counted even when the page names the step, so that naming one renames no other.
    counters.set(key, n);
    const given = block.annotations.id;
    if (given === undefined) return `${key}-${n}`;
    inBlock++;
    const id = inBlock === 1 ? given : `${given}-${inBlock}`;
    const earlier = named.get(id);
    if (earlier !== undefined) throw new InputError(`step id "${id}" is given twice (line ${earlier} and here): ids name one step each`, page.path, block.line);
    named.set(id, block.line);
    return id;
  };
  /** The steps the block just before gave, when the current block may show their output. */
  let previousBlockSteps: Step[] = [];
  const sessions = new PageSessions();
  const background = new PageBackground(page.path);

  for (const block of page.blocks) {
    inBlock = 0;
    const checkPage = block.annotations.checkPage ?? page.settings.checkPage ?? false;
    const common: StepOptions = {
      ...(block.annotations.timeoutMs !== undefined && { timeoutMs: block.annotations.timeoutMs }),
      ...(block.annotations.fails && { fails: true }),
      ...(block.annotations.unordered && { unordered: true }),
    };
    const before = steps.length;
    const skip = (reason: string) => steps.push({ id: nextId(block, 'skip'), kind: 'skip', line: block.line, reason });
    const lang = block.lang ?? '';
    let split: ShellCommand[] | undefined;
    const commands = () => (split ??= splitShellBlock(block.value, { firstLine: block.contentLine, script: scriptLanguages.has(lang), prompts }));
    const outputTarget = block.followsBlock ? outputOwner(previousBlockSteps) : undefined;
    // A `stop` annotation or a leading `^C` stops what runs in the background before the block's steps.
    const stops = background.atBlock(block);

    if (block.annotations.skip) {
      skip(block.annotations.skip);
    } else if (block.label) {
      checkFilePath(block.label, page.path, block.line);
      steps.push({ id: nextId(block, 'file'), kind: 'file', line: block.line, path: block.label, content: withFinalNewline(block.value), ...common });
    } else if (block.inline) {
      const [command] = commands();
      // `` `docker ps` `` alone on a line is a step; `` `app.py` `` or `` `hello` `` is a word of the prose.
      if (command && (/\s/.test(command.command) || block.value.trim() !== command.command)) {
        const template = templateReason(command.command);
        if (template) steps.push({ id: nextId(block, 'skip'), kind: 'skip', line: command.line, command: command.command, reason: template, fault: 'template' });
        else {
          const step = commandStep(command, nextId(block, command.terminal === 'none' ? 'command' : 'interactive'), block, common, checkPage);
          steps.push(step);
          background.ran(step, command, block);
        }
      }
    } else if (outputTarget && !stops.onlyInterrupt && (outputLanguages.has(lang) || (shellLanguages.has(lang) && commands().length === 0))) {
      // `docker inspect web` then a ```json block: what it printed, not a file to write.
      outputTarget.expected = block.value.replace(/\n+$/, '');
      if (checkPage) outputTarget.checkPage = true;
      places?.set(outputTarget.id, blockPlace(block, checkPage));
    } else if (windowsLanguages.has(lang)) {
      skip('a PowerShell or cmd block is not run here');
    } else if (!shellLanguages.has(lang)) {
      skip(`a ${block.lang} block with no file name: name the file in the paragraph just before it, or with title=`);
    } else {
      const found = commands();
      if (found.length === 0 && !stops.onlyInterrupt) skip('no command in this block');
      // A block in another terminal: its commands run there, one after the other, beside the lesson's shell.
      const elsewhere = background.wholeBlock(block, found, sessions.current !== undefined);
      const [first] = found;
      if (elsewhere && first) {
        const joined: ShellCommand = { ...first, command: found.map((command) => command.command).join('\n'), output: found.flatMap((command) => command.output), terminal: 'none' };
        const step = commandStep(joined, nextId(block, 'command'), block, common, checkPage);
        if (step.kind === 'command') steps.push(background.start(step, elsewhere, block));
      }
      /** The step this block types into the page's open session, while its lines are at the container's prompt. */
      let typing: SessionInputStep | undefined;
      for (const command of elsewhere ? [] : found) {
        const destination = sessions.destination(command, block.annotations.session);
        const template = destination === 'host' ? templateReason(command.command) : undefined;
        if (destination !== 'session') typing = undefined;
        if (command.powershell) {
          steps.push({ id: nextId(block, 'skip'), kind: 'skip', line: command.line, command: command.command, reason: 'PowerShell is not run here' });
        } else if (template) {
          steps.push({ id: nextId(block, 'skip'), kind: 'skip', line: command.line, command: command.command, reason: template, fault: 'template' });
        } else if (destination === 'no-session') {
          const reason = noSessionReason(command, block.annotations.session);
          steps.push({ id: nextId(block, 'skip'), kind: 'skip', line: command.line, command: command.command, reason, fault: 'container-prompt' });
        } else if (destination === 'session' && sessions.current) {
          if (!typing) {
            typing = sessionInputStep(sessions.current.id, command.line, nextId(block, 'session-input'), block, common);
            steps.push(typing);
          }
          typeInto(typing, command, checkPage);
          sessions.typed(typing);
          if (places) {
            const place = places.get(typing.id) ?? places.set(typing.id, { parts: [], checked: checkPage, block }).get(typing.id);
            place?.parts.push(...partsOf(command, command.command));
          }
        } else {
          const step = commandStep(command, nextId(block, command.terminal === 'none' ? 'command' : 'interactive'), block, common, checkPage);
          steps.push(step);
          sessions.ran(step.kind === 'interactive' ? step : undefined, command);
          places?.set(step.id, { parts: partsOf(command), checked: checkPage, block });
          background.ran(step, command, block);
        }
      }
    }
    if (steps.length > before || !outputTarget) previousBlockSteps = steps.slice(before);
  }

  // A session with no way out ends only at its timeout: a short one, unless the page or its front matter sets one.
  if (page.settings.timeoutMs === defaultTimeoutMs) {
    for (const step of steps) if (step.kind === 'interactive' && step.timeoutMs === undefined && hasNoWayOut(step, steps)) step.timeoutMs = noWayOutTimeoutMs;
  }

  checkNamedIds(steps, named, page.path);
  const sections: Section[] = page.sections.map((section) => ({ ...section, steps: counters.get(section.slug) ?? 0 }));
  const inferred = inferRequirements(steps).filter((program) => !page.settings.requires.includes(program));
  const requires = [...page.settings.requires, ...inferred];
  return { name: page.name, path: page.path, settings: page.settings, requires, inferred, sections, steps };
}

/** The step a block right after its block may show the output of: the last command there, if it shows none yet. */
function outputOwner(previousBlockSteps: Step[]): OutputStep | undefined {
  const last = previousBlockSteps.at(-1);
  return last && (last.kind === 'command' || last.kind === 'interactive' || last.kind === 'session-input') && last.expected === undefined ? last : undefined;
}

/** What a block's annotations set on each of its steps. */
type StepOptions = Pick<Step, 'timeoutMs' | 'fails' | 'unordered'>;

function commandStep(command: ShellCommand, id: string, block: CodeBlock, common: StepOptions, checkPage: boolean): ShellStep {
  const expected = command.output.length > 0 ? { expected: command.output.join('\n') } : {};
  const elsewhere = otherEngine(command.command);
  const checked = {
    ...(checkPage && command.output.length > 0 && { checkPage: true }),
    ...(elsewhere !== undefined && { otherEngine: elsewhere }),
  };
  if (command.terminal === 'none') {
    return { id, kind: 'command', line: command.line, command: command.command, ...expected, ...common, ...checked };
  }
  const keys = block.annotations.keys ?? [];
  return {
    id,
    kind: 'interactive',
    line: command.line,
    command: command.command,
    input: command.input,
    ...(keys.length > 0 && { keys }),
    ...expected,
    ...common,
    ...checked,
  };
}

/** A step typing a block's lines into the session `session` opened; its lines are added by `typeInto`. */
function sessionInputStep(session: string, line: number, id: string, block: CodeBlock, common: StepOptions): SessionInputStep {
  const keys = block.annotations.keys ?? [];
  return { id, kind: 'session-input', line, session, input: [], ...(keys.length > 0 && { keys }), ...common };
}

/** A command read at the container's prompt becomes a line typed in the session, with the lines the page shows under it. */
function typeInto(step: SessionInputStep, command: ShellCommand, checkPage: boolean): void {
  step.input.push(command.command, ...command.input);
  const shown = [...(step.expected === undefined ? [] : [step.expected]), ...command.output];
  if (shown.length > 0) step.expected = shown.join('\n');
  if (checkPage && step.expected !== undefined) step.checkPage = true;
}

/** A name the page gives (`id=`) must not be another step's id: the two would share a snapshot entry. */
function checkNamedIds(steps: Step[], named: Map<string, number>, file: string): void {
  if (named.size === 0) return;
  const seen = new Set<string>();
  for (const step of steps) {
    if (seen.has(step.id)) throw new InputError(`step id "${step.id}" names two steps: choose another id=`, file, named.get(step.id) ?? step.line);
    seen.add(step.id);
  }
}

/** File steps write inside the lesson's working directory only. */
function checkFilePath(path: string, file: string, line: number): void {
  if (path.startsWith('/') || path.split(/[\\/]/).includes('..')) {
    throw new InputError(`file "${path}" would be written outside the lesson's working directory`, file, line);
  }
}

function withFinalNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : text + '\n';
}
