import type { CodeBlock, Page } from '../parse/page.js';
import { InputError, type Lesson, type Section, type Step } from '../types.js';
import { splitShellBlock, type ShellCommand } from './shell.js';

const shellLanguages = new Set(['', 'sh', 'bash', 'shell', 'zsh', 'console', 'shell-session', 'shellsession', 'terminal', 'text', 'plaintext', 'none']);
const scriptLanguages = new Set(['sh', 'bash', 'zsh']);

/** The page's blocks → the ordered steps a careful reader would take. Pure: nothing is run. */
export function planLesson(page: Page): Lesson {
  const prompts = page.settings.prompts.map((source) => new RegExp(source));
  const steps: Step[] = [];
  const counters = new Map<string, number>();
  const nextId = (block: CodeBlock, kind: Step['kind']) => {
    const key = kind === 'skip' ? `${block.section.slug}-skip` : block.section.slug;
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return `${key}-${n}`;
  };

  for (const block of page.blocks) {
    const common = {
      ...(block.annotations.timeoutMs !== undefined && { timeoutMs: block.annotations.timeoutMs }),
      ...(block.annotations.fails && { fails: true }),
      ...(block.annotations.unordered && { unordered: true }),
    };
    const skip = (reason: string) => steps.push({ id: nextId(block, 'skip'), kind: 'skip', line: block.line, reason });

    if (block.annotations.skip) {
      skip(block.annotations.skip);
    } else if (block.label) {
      checkFilePath(block.label, page.path, block.line);
      steps.push({ id: nextId(block, 'file'), kind: 'file', line: block.line, path: block.label, content: withFinalNewline(block.value), ...common });
    } else if (!shellLanguages.has(block.lang ?? '')) {
      skip(`a ${block.lang} block with no file name: name the file in the paragraph just before it, or with title=`);
    } else {
      const commands = splitShellBlock(block.value, {
        firstLine: block.contentLine,
        script: scriptLanguages.has(block.lang ?? ''),
        prompts,
      });
      if (commands.length === 0) skip('no command in this block');
      for (const command of commands) {
        if (command.powershell) {
          steps.push({ id: nextId(block, 'skip'), kind: 'skip', line: command.line, command: command.command, reason: 'PowerShell is not run here' });
        } else {
          steps.push(commandStep(command, nextId(block, command.terminal === 'none' ? 'command' : 'interactive'), block, common));
        }
      }
    }
  }

  const sections: Section[] = page.sections.map((section) => ({ ...section, steps: counters.get(section.slug) ?? 0 }));
  return { name: page.name, path: page.path, settings: page.settings, sections, steps };
}

function commandStep(command: ShellCommand, id: string, block: CodeBlock, common: Partial<Step>): Step {
  const expected = command.output.length > 0 ? { expected: command.output.join('\n') } : {};
  if (command.terminal === 'none') {
    return { id, kind: 'command', line: command.line, command: command.command, ...expected, ...common };
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
  };
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
