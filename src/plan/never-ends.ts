// Commands that never end by themselves: they follow a log, serve in the foreground, refresh a
// screen or ping forever. The plan runs them in the background; lint reports those it cannot. Pure.

import { simpleCommands } from './simple-commands.js';

/** Why a command line runs until stopped, and the program that does. */
export interface NeverEnding {
  reason: string;
  /** The program that keeps running (`python3`, `docker`, `tail`), as `pkill` and `stop=` name it. */
  program: string;
}

/** Why `command` runs until something stops it, or undefined when it ends by itself. */
export function neverEnding(command: string): NeverEnding | undefined {
  for (const words of simpleCommands(command)) {
    const reason = endless(words);
    if (reason) return { reason, program: programName(words) };
  }
  return undefined;
}

/** The program of a simple command, as a process list names it: `busybox httpd` is `httpd`, `/usr/bin/tail` is `tail`. */
export function programName(words: string[]): string {
  const assigned = words.findIndex((word) => !/^[A-Za-z_]\w*=/.test(word));
  const program = (words[assigned] ?? '').replace(/^.*\//, '');
  return program === 'busybox' ? (words[assigned + 1] ?? program) : program;
}

/** Whether a flag is given: `--detach`, `--detach=true`, or a short one alone or in a group (`-d`, `-dp`, `-c3`). */
function has(words: string[], ...flags: string[]): boolean {
  return words.some((word) =>
    flags.some((flag) => (flag.startsWith('--') ? word === flag || word.startsWith(`${flag}=`) : /^-[a-zA-Z]+\d*$/.test(word) && word.includes(flag[1]!))),
  );
}

/** Why this simple command runs until stopped, or undefined when it ends. */
function endless(all: string[]): string | undefined {
  // `busybox httpd -f` is `httpd -f`.
  const words = all[0] === 'busybox' ? all.slice(1) : all;
  const [program = '', ...args] = words;
  const shown = words.slice(0, 3).join(' ');
  const docker = program === 'docker' && args[0] === 'compose' ? ['docker-compose', ...args.slice(1)] : words;
  const verb = docker[0] === 'docker' && ['container', 'image'].includes(docker[1] ?? '') ? docker[2] : docker[1];
  if (['docker', 'docker-compose', 'kubectl'].includes(docker[0]!) && verb === 'logs' && has(args, '-f', '--follow')) return `\`${shown}\` follows the log`;
  if (docker[0] === 'docker' && verb === 'events' && !has(args, '--until')) return '`docker events` follows the engine';
  if (docker[0] === 'docker' && verb === 'stats' && !has(args, '--no-stream')) return '`docker stats` refreshes';
  if (docker[0] === 'docker' && verb === 'run' && !has(args, '-d', '--detach') && has(args, '-p', '--publish', '-P', '--publish-all')) {
    return '`docker run` publishes a port in the foreground: a server';
  }
  if (docker[0] === 'docker-compose' && verb === 'up' && !has(args, '-d', '--detach')) return '`docker compose up` runs the services in the foreground';
  if (program === 'kubectl' && verb === 'get' && has(args, '-w', '--watch')) return '`kubectl get -w` watches';
  if (program === 'tail' && has(args, '-f', '-F', '--follow')) return '`tail -f` follows the file';
  if (program === 'journalctl' && has(args, '-f', '--follow')) return '`journalctl -f` follows the journal';
  if (program === 'ping' && !has(args, '-c', '-w')) return '`ping` without -c pings';
  if (program === 'watch' || program === 'top' || program === 'htop') return `\`${program}\` refreshes`;
  if ((program === 'python' || program === 'python3') && args[0] === '-m' && ['http.server', 'SimpleHTTPServer'].includes(args[1] ?? '')) return `\`python -m ${args[1]}\` serves`;
  if (program === 'php' && has(args, '-S')) return '`php -S` serves';
  if (program === 'httpd' && has(args, '-f')) return '`httpd -f` serves in the foreground';
  if (['nc', 'ncat', 'netcat'].includes(program) && has(args, '-l', '--listen')) return `\`${program} -l\` listens`;
  if (program === 'socat' && args.some((word) => /^(?:TCP|TCP4|TCP6|UDP|UNIX)-LISTEN:/i.test(word))) return '`socat …-LISTEN` listens';
  if (program === 'sleep' && args[0] === 'infinity') return '`sleep infinity` waits';
  return undefined;
}
