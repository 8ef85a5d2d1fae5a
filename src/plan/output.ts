import { isKnownProgram, programOf } from './programs.js';
import { looksLikeCommand, shellWords } from './words.js';

// What a shell and its programs print when they fail. A line with one of these is the previous
// command's output even when it starts with a program's name (`chown: /: Operation not permitted`).
const failures = /Operation not permitted|No such file or directory|command not found|Permission denied|Is a directory|Not a directory|Error response from daemon|Cannot connect to the Docker daemon|Unable to find image/;
// `ls -l` rows and their `total` line; IDs alone on a line, as `docker run -d` and `docker build -q` print them.
const listing = /^(?:[-dlcbps][rwxsStT-]{9}[.+@]?\s|total \d+$)/;
const id = /^(?:sha256:)?[0-9a-f]{12}(?:[0-9a-f]{52})?$/;
// Shell syntax that output rarely has: a line with it is typed.
const shellSyntax = /\s(?:\||&&|\|\|)\s|\$\(|\\$/;

/**
 * Whether a line of a block with no prompt is the output of the command before it, as a careful
 * reader decides: it cannot be typed (`Hello from Docker!`, `CONTAINER ID`), it is a failure
 * message, an `ls -l` row or an ID, it is what the command says it prints (`echo hello` → `hello`,
 * `pwd` → a path), it is a lone word that names no known program, or output has started (or the
 * command is one that prints, like `docker ps`) and the line does not start with a known program.
 */
export function isOutputLine(line: string, command: CommandOutput, outputStarted: boolean): boolean {
  const text = line.trim();
  if (!looksLikeCommand(text)) return true;
  if (failures.test(text) || listing.test(text) || id.test(text)) return true;
  if (command.echoed.includes(text)) return true;
  if (command.printsPath && /^\/\S*$/.test(text)) return true;
  // A lone word that is no known program: a name, a status (`docker ps --format '{{.Names}}'` → `web`).
  if (!/\s/.test(text) && !startsLikeCommand(text)) return true;
  return (outputStarted || command.prints) && !startsLikeCommand(text);
}

/** What a command says about its own output, read once per command. */
export interface CommandOutput {
  /** The lines its `echo`s print. */
  echoed: string[];
  /** It prints a path: `pwd`, `which docker`. */
  printsPath: boolean;
  /** Its output starts on the next line: `cat`, `ls`, `docker ps`... */
  prints: boolean;
}

export function commandOutput(command: string): CommandOutput {
  return { echoed: echoed(command), printsPath: printsPath(command), prints: printsOutput(command) };
}

/** A known program, a path to a program, an assignment or shell syntax: reads as typed even among output. */
function startsLikeCommand(text: string): boolean {
  const program = programOf(text);
  return isKnownProgram(program) || /^\.{0,2}\//.test(program) || /^[A-Za-z_]\w*=/.test(text) || shellSyntax.test(text);
}

const separators = new Set([';', '&&', '||', '|', '&']);

/** What each `echo` of the command prints, also inside `sh -c '...'` and after `docker run alpine`. */
function echoed(command: string): string[] {
  if (!command.includes('echo')) return [];
  const tokens = shellWords(command)
    .flatMap((word) => (/\s/.test(word) ? shellWords(word) : [word]))
    .flatMap((word) => word.split(/(;|&&|\|\||\||&)/).filter(Boolean));
  const lines: string[] = [];
  let words: string[] | undefined;
  for (const token of tokens) {
    if (separators.has(token) || /^\d?>/.test(token)) {
      if (words && !/^\d?>/.test(token)) lines.push(words.join(' '));
      words = undefined;
    } else if (words) {
      if (words.length > 0 || !/^-[neE]+$/.test(token)) words.push(token);
    } else if (token === 'echo') {
      words = [];
    }
  }
  if (words) lines.push(words.join(' '));
  return lines;
}

const printers = new Set(['cat', 'ls', 'echo', 'printf', 'pwd', 'which', 'uname', 'id', 'whoami', 'hostname', 'date', 'env', 'printenv', 'head', 'tail', 'wc', 'jq', 'curl']);
const dockerPrinters = new Set(['ps', 'images', 'ls', 'inspect', 'logs', 'version', 'info', 'history', 'port', 'top', 'diff', 'search']);

/** Commands whose output starts on the next line: there, a line is output unless it starts like a command. */
function printsOutput(command: string): boolean {
  const words = shellWords(command);
  const program = programOf(command);
  if (program !== 'docker') return printers.has(program);
  const verb = words.find((word, index) => index > words.indexOf('docker') && !word.startsWith('-') && !['container', 'image', 'volume', 'network', 'system'].includes(word));
  return verb !== undefined && dockerPrinters.has(verb);
}

function printsPath(command: string): boolean {
  const program = programOf(command);
  return ['pwd', 'which', 'realpath', 'readlink', 'mktemp'].includes(program) || /^command -v\b/.test(command.trim());
}
