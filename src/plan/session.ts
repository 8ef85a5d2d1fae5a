import { shellWords } from './words.js';

/** How a command uses the terminal: not at all, a one-shot command needing a TTY, or an inner shell session. */
export type TerminalUse = 'none' | 'tty' | 'session';

const shells = /^(\/(usr\/)?bin\/)?(sh|bash|ash|zsh|dash|fish|ksh)$/;
const booleanShortFlags = /^-[itdPq]+$/;
const booleanLongFlags = new Set([
  '--interactive', '--tty', '--detach', '--rm', '--privileged', '--init', '--read-only',
  '--publish-all', '--quiet', '--no-healthcheck', '--oom-kill-disable', '--sig-proxy',
]);

/**
 * `docker run -it alpine` opens a session in the container; `docker run -it alpine ls` needs a
 * terminal but no typing; `docker run alpine ls` needs neither.
 */
export function terminalUse(command: string): TerminalUse {
  const words = shellWords(command);
  const start = words[0] === 'docker' ? 1 : -1;
  if (start < 0) return 'none';
  const verb = words[start] === 'container' ? start + 1 : start;
  if (words[verb] !== 'run' && words[verb] !== 'exec') return 'none';

  let interactive = false;
  let tty = false;
  let detached = false;
  let i = verb + 1;
  for (; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('-') || word === '-') break;
    if (word === '--') { i++; break; }
    if (booleanShortFlags.test(word)) {
      interactive ||= word.includes('i');
      tty ||= word.includes('t');
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
  const rest = words.slice(i + 1); // after the image or container
  if (!interactive) return 'tty';
  return rest.length === 0 || (shells.test(rest[0]!) && !rest.includes('-c')) ? 'session' : 'tty';
}
