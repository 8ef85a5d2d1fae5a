import { shellWords } from './words.js';

/** How a command uses the terminal: not at all, a one-shot command needing a TTY, or an inner shell session. */
export type TerminalUse = 'none' | 'tty' | 'session';

const shells = /^(\/(usr\/)?bin\/)?(sh|bash|ash|zsh|dash|fish|ksh)$/;
const booleanShortFlags = /^-[itdPqT]+$/;
const booleanLongFlags = new Set([
  '--interactive', '--tty', '--detach', '--rm', '--privileged', '--init', '--read-only',
  '--publish-all', '--quiet', '--no-healthcheck', '--oom-kill-disable', '--sig-proxy', '--no-deps',
]);

/**
 * `docker run -it alpine` opens a session in the container; `docker run -it alpine ls` needs a
 * terminal but no typing; `docker run alpine ls` needs neither. `docker compose exec` and `run`
 * give a terminal unless told `-T`; `kubectl exec -it` and `docker start -ai` behave like `docker run -it`.
 */
export function terminalUse(command: string): TerminalUse {
  if (!/docker|kubectl/.test(command)) return 'none'; // the only programs read below, by far the commonest case
  const words = firstCommand(shellWords(command));
  const verb = verbIndex(words);
  if (verb === undefined) return 'none';
  const tool = words[0] === 'kubectl' ? 'kubectl' : words[verb - 1] === 'compose' || words[0] === 'docker-compose' ? 'compose' : 'docker';
  if (words[verb] === 'attach') return 'session';
  if (words[verb] === 'start') return words.some((word) => /^-\w*a/.test(word) || word === '--attach') && words.some((word) => /^-\w*i/.test(word) || word === '--interactive') ? 'session' : 'none';

  let interactive = tool === 'compose';
  let tty = tool === 'compose';
  let detached = false;
  let i = verb + 1;
  for (; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('-') || word === '-') break;
    if (word === '--') { i++; break; }
    if (booleanShortFlags.test(word)) {
      interactive ||= word.includes('i');
      tty = (tty || word.includes('t')) && !word.includes('T');
      detached ||= word.includes('d');
    } else if (booleanLongFlags.has(word.split('=')[0]!)) {
      interactive ||= word === '--interactive';
      tty ||= word === '--tty';
      detached ||= word === '--detach';
    } else if (!word.includes('=') && !/^-[a-zA-Z]./.test(word)) {
      i++; // a flag whose value is the next word: -e X, --name web
    }
  }
  if (!tty || detached) return 'none';
  // After the image, container or service, or after kubectl's `--`.
  const dashes = words.indexOf('--', verb);
  const rest = tool === 'kubectl' ? (dashes < 0 ? [] : words.slice(dashes + 1)) : words.slice(i + 1);
  if (!interactive) return 'tty';
  const shell = rest.length > 0 && shells.test(rest[0]!) && !rest.includes('-c');
  // With no command, `docker run` starts the image's own, often a shell; a compose service's is its server.
  return shell || (rest.length === 0 && tool !== 'compose') ? 'session' : 'tty';
}

/** The words of the first command of a pipeline or list, without `sudo`. */
function firstCommand(words: string[]): string[] {
  const stop = words.findIndex((word) => ['|', '||', '&&', ';', '&'].includes(word));
  const first = stop < 0 ? words : words.slice(0, stop);
  return first[0] === 'sudo' ? first.slice(1) : first;
}

/** Where `run`, `exec`, `attach` or `start` sits in a docker, compose or kubectl command line. */
function verbIndex(words: string[]): number | undefined {
  const at = (index: number, verbs: string[]) => (verbs.includes(words[index] ?? '') ? index : undefined);
  switch (words[0]) {
    case 'docker':
      if (words[1] === 'compose') return at(2, ['run', 'exec']);
      return words[1] === 'container' ? at(2, ['run', 'exec', 'attach', 'start']) : at(1, ['run', 'exec', 'attach', 'start']);
    case 'docker-compose':
      return at(1, ['run', 'exec']);
    case 'kubectl':
      return at(1, ['run', 'exec']);
    default:
      return undefined;
  }
}
