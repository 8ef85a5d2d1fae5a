import { posix } from 'node:path';
import { isFileName } from '../parse/labels.js';
import type { Lesson } from '../types.js';
import { simpleCommands } from '../plan/simple-commands.js';

/** A file of the lesson's working directory that a step writes or reads, as far as the page says. */
export interface FileUse {
  kind: 'write' | 'read';
  /** Relative to the lesson's working directory, normalized. */
  path: string;
  /** As the page writes it. */
  written: string;
  line: number;
  /** A read that any write satisfies, earlier or later: Dockerfile sources, read at build time. */
  anyTime?: boolean;
  /** A read of whichever of these paths exists: `docker compose up` reads compose.yaml or docker-compose.yml... */
  oneOf?: string[];
}

export interface FileUses {
  uses: FileUse[];
  /** From this line on, files may exist that no step names: a clone, a download, an archive. */
  unknownFrom?: number;
}

// Programs whose file arguments they read.
const readers = new Set(['cat', 'head', 'tail', 'less', 'more', 'wc', 'sort', 'source', '.', 'sh', 'bash', 'python', 'python3', 'node', 'gcc', 'cc', 'g++', 'javac', 'diff', 'jq']);
// Programs that bring files the page never names.
const fetchers = new Set(['git', 'wget', 'curl', 'tar', 'unzip', 'npm', 'yarn', 'pip', 'pip3', 'go', 'cargo', 'composer']);
const composeFiles = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const buildValueFlags = new Set(['-t', '--tag', '-f', '--file', '--build-arg', '--target', '--platform', '--label', '--network', '--progress', '--secret', '--ssh', '--cache-from', '--cache-to', '-o', '--output', '--iidfile', '--add-host', '--build-context']);

/** The files the lesson's steps write and read, in page order, with the shell's directory followed through `cd`. */
export function fileUses(lesson: Lesson): FileUses {
  const uses: FileUse[] = [];
  let cwd: string | undefined = '';
  let unknownFrom: number | undefined;
  for (const step of lesson.steps) {
    if (cwd === undefined) break; // `cd /somewhere`: paths no longer relate to the working directory
    const at = (kind: FileUse['kind'], written: string, extra: Partial<FileUse> = {}) => {
      if (!relative(written)) return;
      const oneOf = extra.oneOf?.map((name) => inside(cwd!, name));
      uses.push({ kind, path: inside(cwd!, written), written, line: step.line, ...extra, ...(oneOf && { oneOf }) });
    };
    if (step.kind === 'file') {
      at('write', step.path);
      if (/^(Dockerfile|Containerfile)\b|\.dockerfile$/i.test(posix.basename(step.path))) {
        const dir = posix.dirname(step.path);
        for (const source of dockerfileSources(step.content)) at('read', posix.join(dir, source), { anyTime: true, written: source });
      }
    }
    if (step.kind !== 'command') continue;
    for (const typed of simpleCommands(step.command)) {
      redirections(typed, at);
      const [program = '', ...args] = withoutRedirections(typed);
      if (program === 'cd') {
        cwd = changeDirectory(cwd, args[0] ?? '~');
        if (cwd === undefined) break;
      }
      if (fetchers.has(program)) unknownFrom ??= step.line;
      programUses(program, args, at);
    }
  }
  return { uses, unknownFrom };
}

type At = (kind: FileUse['kind'], written: string, extra?: Partial<FileUse>) => void;

/** `cd app`, `cd ..`: the new directory, relative to the working directory; undefined once it leaves it or cannot be known. */
function changeDirectory(cwd: string, target: string): string | undefined {
  if (/^[/~-]|[$`*?]/.test(target)) return undefined;
  const next = posix.join(cwd || '.', target);
  if (next === '..' || next.startsWith('../')) return undefined;
  return next === '.' ? '' : next;
}

/** What a program reads and writes, by its name and arguments. */
function programUses(program: string, args: string[], at: At): void {
  if (program.startsWith('./')) at('read', program);
  if (readers.has(program)) for (const arg of fileArguments(args, program === 'gcc' || program === 'cc' ? ['-o'] : [])) at('read', arg);
  if ((program === 'gcc' || program === 'cc') && args.includes('-o')) at('write', args[args.indexOf('-o') + 1] ?? '');
  if (['touch', 'mkdir', 'tee'].includes(program)) for (const arg of args.filter((arg) => !arg.startsWith('-'))) at('write', arg);
  if (['cp', 'mv'].includes(program)) {
    const operands = args.filter((arg) => !arg.startsWith('-'));
    for (const source of fileArguments(operands.slice(0, -1))) at('read', source);
    if (operands.length > 1) at('write', operands.at(-1)!);
  }
  if (program === 'docker' || program === 'docker-compose') dockerReads([program, ...args], at);
  if (program === 'kubectl' && ['apply', 'create', 'delete'].includes(args[0] ?? '')) {
    const file = valueOf(args, '-f', '--filename');
    if (file && !file.includes('://') && file !== '-') at('read', file);
  }
}

function dockerReads(words: string[], at: At): void {
  const compose = words[0] === 'docker-compose' ? 1 : words[1] === 'compose' ? 2 : -1;
  if (compose > 0) {
    const args = words.slice(compose);
    const file = valueOf(args, '-f', '--file');
    const verb = args.find((arg, index) => !arg.startsWith('-') && !['-f', '--file', '-p', '--project-name'].includes(args[index - 1] ?? ''));
    if (file) at('read', file);
    else if (['up', 'build', 'run', 'create', 'config'].includes(verb ?? '')) at('read', composeFiles[0]!, { oneOf: composeFiles, written: 'compose.yaml' });
    return;
  }
  const build = words.findIndex((word, index) => word === 'build' && index <= 3);
  if (build < 0 || !['docker', 'image', 'buildx', 'builder'].includes(words[build - 1] ?? '')) return;
  const args = words.slice(build + 1);
  const file = valueOf(args, '-f', '--file');
  const context = args.filter((arg, index) => !arg.startsWith('-') && !buildValueFlags.has(args[index - 1] ?? '')).at(-1);
  if (file) at('read', file);
  else if (context && relative(context)) at('read', posix.join(context, 'Dockerfile'), { written: 'Dockerfile' });
}

const redirection = /^(\d?)(>>?|<<?-?)(.*)$/;

/** `> out.txt` and `>> log` write, `< in.txt` reads; `2> errors`, `>&2` and here-documents name no file of ours. */
function redirections(words: string[], at: At): void {
  words.forEach((word, index) => {
    const found = redirection.exec(word);
    if (!found || found[1] === '2' || found[3]!.startsWith('&') || found[2]!.startsWith('<<') || /^<[^<>]+>$/.test(word)) return;
    const target = found[3] || words[index + 1];
    if (target) at(found[2] === '<' ? 'read' : 'write', target);
  });
}

/** The words without redirections and their targets: what the program itself gets as arguments. */
function withoutRedirections(words: string[]): string[] {
  return words.filter((word, index) => {
    const own = redirection.exec(word);
    const previous = redirection.exec(words[index - 1] ?? '');
    return (!own || /^<[^<>]+>$/.test(word)) && !(previous && previous[3] === '' && !previous[2]!.startsWith('<<'));
  });
}

function inside(cwd: string, path: string): string {
  return posix.join(cwd, path).replace(/\/+$/, '');
}

/** The arguments that name files: `app.py`, `Dockerfile`, not options nor their values. */
function fileArguments(args: string[], valueFlags: string[] = []): string[] {
  return args.filter((arg, index) => !arg.startsWith('-') && !valueFlags.includes(args[index - 1] ?? '') && isFileName(arg.replace(/^\.\//, '')));
}

function valueOf(args: string[], ...flags: string[]): string | undefined {
  for (const [index, arg] of args.entries()) {
    const [flag, value] = arg.split(/=(.*)/);
    if (flags.includes(flag!)) return value ?? args[index + 1];
  }
  return undefined;
}

/** A path of the working directory as the page writes it: no variable, glob, home, URL or absolute path. */
function relative(path: string): boolean {
  return path !== '' && !/^[/~-]|[$*?{`]|:\/\/|^\.\.(\/|$)/.test(path) && !path.startsWith('<');
}

/** The sources a Dockerfile's COPY and ADD read from the build context, which is taken to be the Dockerfile's folder. */
function dockerfileSources(content: string): string[] {
  return content
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => /^\s*(?:COPY|ADD)\s+(.*)$/i.exec(line)?.[1])
    .filter((rest): rest is string => rest !== undefined && !/--from=/.test(rest) && !rest.trim().startsWith('['))
    .flatMap((rest) => rest.trim().split(/\s+/).filter((word) => !word.startsWith('--')).slice(0, -1))
    .filter((source) => source !== '.' && !source.includes('://'));
}
