import type { Step } from '../types.js';
import type { Rule } from './rule.js';
import { inBackground, simpleCommands } from '../plan/simple-commands.js';

/**
 * A command that never ends by itself: it follows a log, serves in the foreground, or pings
 * forever. Without a timeout annotation, or `&`/`-d` on the page, the lesson would hang there.
 */
export const neverEnds: Rule = ({ lesson }) =>
  lesson.steps.flatMap((step) => {
    if ((step.kind !== 'command' && step.kind !== 'interactive') || step.timeoutMs !== undefined) return [];
    if (step.kind === 'interactive' && step.keys?.length) return [];
    if (inBackground(step.command)) return [];
    const why = simpleCommands(step.command).map(endless).find(Boolean);
    return why ? [finding(step, why)] : [];
  });

function finding(step: Step, why: string) {
  return {
    line: step.line,
    severity: 'error' as const,
    rule: 'never-ends',
    message: `${why} and never ends by itself: run it in the background on the page (& or -d), or annotate the block timeout=… or skip="why"`,
  };
}

/** Whether a flag is given: `--detach`, `--detach=true`, or a short one alone or in a group (`-d`, `-dp`, `-c3`). */
function has(words: string[], ...flags: string[]): boolean {
  return words.some((word) =>
    flags.some((flag) => (flag.startsWith('--') ? word === flag || word.startsWith(`${flag}=`) : /^-[a-zA-Z]+\d*$/.test(word) && word.includes(flag[1]!))),
  );
}

/** Why this simple command runs until stopped, or undefined when it ends. */
function endless(words: string[]): string | undefined {
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
  if (program === 'tail' && has(args, '-f', '-F', '--follow')) return '`tail -f` follows the file';
  if (program === 'ping' && !has(args, '-c', '-w')) return '`ping` without -c pings';
  if (program === 'watch' || program === 'top' || program === 'htop') return `\`${program}\` refreshes`;
  if ((program === 'python' || program === 'python3') && args[0] === '-m' && args[1] === 'http.server') return '`python -m http.server` serves';
  if (program === 'sleep' && args[0] === 'infinity') return '`sleep infinity` waits';
  return undefined;
}
