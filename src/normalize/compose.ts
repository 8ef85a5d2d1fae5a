import { anyOf } from './literal.js';
import { createNumbering } from './numbering.js';
import type { Transform } from './transform.js';

// What Docker Compose prints, in its two lines of descent: docker-compose 1.x (Python) and the
// `docker compose` plugin 2.x (Go). Either prints the same events in an order that depends on timing.

/** A name compose made: the project's name, `_` or `-`, then more of the name. */
const nameChar = '[A-Za-z0-9_.-]';

// The default network announces the project whatever else the output holds: `Creating network
// "proj_default" with the default driver`, `Removing network proj_default` (1.x), ` Network proj_default  Created` (2.x).
const defaultNetwork = new RegExp(`(?:network "?| Network "?)(${nameChar}+?)_default\\b`, 'g');

/**
 * A line of progress, one per container, network or volume, whose order among its neighbours depends on
 * which finished first: `Creating proj_web_1 ... done`, `Removing network proj_default`,
 * `proj_web_1 is up-to-date` (1.x); ` ✔ Container proj-web-1  Started  <duration>` (2.x).
 */
const progressLine = new RegExp(
  '^(?:' +
    '(?:Creating|Starting|Stopping|Removing|Recreating|Restarting|Killing|Pausing|Unpausing|Pulling|Building) \\S+ *\\.\\.\\.(?: .*)?' +
    '|(?:Creating|Removing) (?:network|volume) .*' +
    '|\\S+ is up-to-date' +
    '| *(?:[✔✘⠀-⣿] )?(?:Container|Network|Volume|Image) \\S+ +[A-Z][a-z]+(?: .*)?' +
    ')$',
);
const mayHoldProgress = /\.\.\.|up-to-date|(?:network|volume|Container|Network|Volume|Image) /;

/** A line of `logs`: the container's name (`web_1`, `proj-web-1`, `web-1`), padding, `|`, the line. */
const logLine = /^([A-Za-z0-9][A-Za-z0-9_.-]*[_-]\d+) +\|(?: (.*))?$/;
const mayHoldLog = / \|/;

/** docker-compose 1.x `ps`: a centred header whose indent and rule follow the widest names. */
const psHeader = /^ *Name +Command +State +Ports *$/;

/**
 * The `compose` normalizer, one per run: what Docker Compose prints becomes the same on every run.
 *
 * - The project's name (the folder of the compose file, or `-p`) becomes `<project-1>` where it
 *   prefixes a name compose made: `proj_web_1` (1.x) and `proj-web-1` (2.x) containers, `proj_default`
 *   networks, `proj_data` volumes. A project is known from `projects` (the run's engine labels) or
 *   from its default network in an output, so the page's project and the run's line up.
 * - Progress lines (`Creating … done`, `Container … Started`) whose order follows timing are sorted
 *   within each run of such lines of one phase, and their `...` padding goes: compared as a set, they say the same.
 * - `logs` lines lose the padding after the container name, and each run of them is ordered by
 *   container, stably: one service's lines keep their order, the interleaving of services goes.
 * - 1.x `ps` header's centring and rule, which follow the widest name, are made fixed.
 */
export function normalizeCompose(projects: readonly string[] = []): Transform {
  const number = createNumbering('project');
  const known = new Set(projects);
  let size = -1;
  let prefixed: RegExp | undefined;
  return (text) => {
    if (text.includes('_default')) for (const match of text.matchAll(defaultNetwork)) known.add(match[1]!);
    for (const project of projects) known.add(project);
    if (known.size !== size) {
      size = known.size;
      const source = anyOf(known);
      // A project name counts at the start of a name compose made: never inside a longer word, and only
      // before `_x` (1.x names, networks, volumes) or `-x…-N` (2.x containers).
      prefixed = source === '' ? undefined : new RegExp(`(?<![A-Za-z0-9_.<-])(${source})(?=_[A-Za-z0-9]|-${nameChar}*-\\d+(?![A-Za-z0-9_]))`, 'g');
    }
    let result = prefixed && /[_-]/.test(text) ? text.replace(prefixed, (project) => number(project)) : text;
    if (mayHoldProgress.test(result) || mayHoldLog.test(result) || /Name +Command/.test(result)) result = orderRuns(result);
    return result;
  };
}

/**
 * 1.x works in phases, in a fixed order (the network, the volumes, then the containers; stop them all,
 * then remove them): a phase is its verb and what it acts on, and only lines within one are sorted.
 * 2.x reports every container's states as they come: its lines are one phase.
 */
function phaseOf(line: string): string {
  if (/^ *(?:[✔✘⠀-⣿] )?(?:Container|Network|Volume|Image) /.test(line)) return '2.x';
  if (line.endsWith(' is up-to-date')) return 'up-to-date';
  return /^\S+(?: (?:network|volume) )?/.exec(line)?.[0] ?? '';
}

/** Sorts each run of progress lines, orders each run of log lines by container, fixes `ps` headers. */
function orderRuns(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i]!;
    if (progressLine.test(line)) {
      const phase = phaseOf(line);
      let end = i;
      while (end < lines.length && progressLine.test(lines[end]!) && phaseOf(lines[end]!) === phase) end++;
      out.push(...lines.slice(i, end).map((l) => l.replace(/ +\.\.\./, ' ...').replace(/ {2,}/g, '  ')).sort());
      i = end;
    } else if (logLine.test(line)) {
      let end = i;
      while (end < lines.length && logLine.test(lines[end]!)) end++;
      const run = lines.slice(i, end).map((l) => {
        const [, name, rest] = logLine.exec(l)!;
        return { name: name!, line: rest === undefined ? `${name} |` : `${name} | ${rest}` };
      });
      // Array.prototype.sort is stable: one container's lines stay in the order it wrote them.
      out.push(...run.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((entry) => entry.line));
      i = end;
    } else if (psHeader.test(line) && /^-{3,}$/.test(lines[i + 1] ?? '')) {
      out.push(line.trim().replace(/ +/g, '  '), '---');
      i += 2;
    } else {
      out.push(line);
      i++;
    }
  }
  return out.join('\n');
}
