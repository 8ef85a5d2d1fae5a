import { shellWords, withoutHeredocBodies } from './words.js';

export { withoutHeredocBodies } from '../plan/words.js';

const operators = new Set(['&&', '||', ';', '|', '&']);

/** The simple commands of a command line, as words: `mkdir app && cd app` → [[mkdir, app], [cd, app]]. */
export function simpleCommands(command: string): string[][] {
  const commands: string[][] = [[]];
  for (const word of shellWords(withoutHeredocBodies(command).replace(/\\\n/g, ' ').replace(/\n/g, ' ; '))) {
    if (operators.has(word)) commands.push([]);
    else commands[commands.length - 1]?.push(word);
  }
  return commands.filter((words) => words.length > 0).map((words) => (words[0] === 'sudo' ? words.slice(1) : words));
}

/** Whether the command line ends with `&`: it runs in the background and does not hold the lesson. */
export function inBackground(command: string): boolean {
  return /(?<!&)&\s*$/.test(withoutHeredocBodies(command).trim());
}
