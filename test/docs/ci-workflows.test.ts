// The CI files docs/ci.md shows: they parse, the docs show them as they are, and every `lesson` and
// `npm run` command in them exists, with options the CLI knows.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseDocument } from 'yaml';
import { lesson, root } from '../helpers.js';

const github = '.github/workflows/lessons.yml';
const gitlab = 'docs/gitlab-ci.yml';

function read(file: string): { text: string; data: Record<string, unknown> } {
  const text = readFileSync(join(root, file), 'utf8');
  const doc = parseDocument(text);
  expect(doc.errors, file).toEqual([]);
  return { text, data: doc.toJSON() as Record<string, unknown> };
}

/** Words of a shell command line as the shell splits them, quotes removed; `$VAR` and GitHub's `${{ }}` (filled in before the shell runs) left as written. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\$\{\{[^}]*\}\}\S*|\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Each simple command of a script: lines, then `&&`, `;` and ` | `, without sudo/env prefixes. */
function commands(scripts: string[]): string[][] {
  return scripts
    .flatMap((script) => script.split(/\n|&&|;| \| /))
    .map((line) => words(line.trim()))
    .map((argv) => {
      let i = 0;
      while (argv[i] === 'sudo' || argv[i] === 'env' || /^[A-Z_]+=/.test(argv[i] ?? '')) i++;
      return argv.slice(i);
    })
    .filter((argv) => argv.length > 0);
}

interface Cli {
  commands: string[];
  options: Map<string, string[]>;
  reporters: string[];
}

async function describeCli(): Promise<Cli> {
  const help = (await lesson(['--help'])).stdout;
  const names = [...help.split('Commands:')[1]!.matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
  const options = new Map<string, string[]>();
  for (const name of names) options.set(name, [...(await lesson([name, '--help'])).stdout.matchAll(/(?:^|[\s,])(--?[a-z][\w-]*)/gm)].map((m) => m[1]!));
  const reporters = /--reporter <name\[=file\]>\s+([\w, -]+?);/.exec((await lesson(['check', '--help'])).stdout)![1]!.split(/,\s*/);
  return { commands: names, options, reporters };
}

/** What is wrong with one command line; nothing when it names only things that exist. */
function problems(argv: string[], cli: Cli, scripts: Record<string, string>): string[] {
  const [program, ...args] = argv;
  if (program === 'bash' && args[0]?.endsWith('.sh')) {
    const script = join(root, args[0]);
    if (!existsSync(script)) return [`${args[0]} does not exist`];
    return args.slice(1).filter((flag) => !readFileSync(script, 'utf8').includes(flag)).map((flag) => `${args[0]} knows no ${flag}`);
  }
  if (program !== 'npm') return [];
  if (args[0] === 'ci') return [];
  if (args[0] === 'test') return scripts.test ? [] : ['no test script'];
  if (args[0] !== 'run') return [`npm ${args[0]}?`];
  const script = args[1]!;
  if (!(script in scripts)) return [`no npm script "${script}"`];
  if (script !== 'lesson') return [];
  const rest = args.slice(args.indexOf('--') + 1);
  const command = rest[0]!;
  if (!cli.commands.includes(command)) return [`no lesson command "${command}"`];
  const found: string[] = [];
  rest.forEach((arg, i) => {
    if (!arg.startsWith('-')) return;
    const option = arg.split('=')[0]!;
    if (!cli.options.get(command)!.includes(option)) found.push(`lesson ${command} has no option ${option}`);
    if (option === '--reporter') {
      const name = rest[i + 1]!.split('=')[0]!;
      if (!cli.reporters.includes(name)) found.push(`no reporter "${name}"`);
    }
  });
  return found;
}

describe('the CI files in docs/ci.md', () => {
  let cli: Cli;
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const docs = readFileSync(join(root, 'docs/ci.md'), 'utf8');
  beforeAll(async () => {
    cli = await describeCli();
    expect(cli.commands).toContain('check');
    expect(cli.reporters).toEqual(expect.arrayContaining(['default', 'junit', 'json', 'github', 'html']));
  });

  test('GitHub Actions: parses, runs a sharded matrix of lesson check, uploads the JUnit and HTML reports', () => {
    const { text, data } = read(github);
    expect(docs).toContain(`\`\`\`yaml\n${text}\`\`\``);
    const job = (data.jobs as Record<string, { strategy: { matrix: { shard: number[] } }; steps: { run?: string; uses?: string; if?: string; with?: { path?: string } }[] }>).lessons!;
    const shards = job.strategy.matrix.shard;
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));

    const lines = commands(job.steps.flatMap((step) => step.run ?? []));
    expect(lines.flatMap((argv) => problems(argv, cli, scripts))).toEqual([]);
    const check = lines.find((argv) => argv.includes('check'))!;
    expect(check[check.indexOf('--shard') + 1]).toBe(`\${{ matrix.shard }}/${shards.length}`);
    expect(check).toEqual(expect.arrayContaining(['junit=reports/junit.xml', 'html=reports/lessons.html', 'github']));

    const upload = job.steps.find((step) => step.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload).toMatchObject({ if: 'always()', with: { path: 'reports/' } });
  });

  test('GitLab CI: parses, runs lesson check on each parallel node, keeps the JUnit report and the HTML page', () => {
    const { text, data } = read(gitlab);
    expect(docs).toContain(`\`\`\`yaml\n${text}\`\`\``);
    const job = data.lessons as { parallel: number; before_script: string[]; script: string[]; artifacts: { when: string; paths: string[]; reports: { junit: string } } };
    const lines = commands([...job.before_script, ...job.script]);
    expect(lines.flatMap((argv) => problems(argv, cli, scripts))).toEqual([]);
    const check = lines.find((argv) => argv.includes('check'))!;
    expect(check[check.indexOf('--shard') + 1]).toBe('$CI_NODE_INDEX/$CI_NODE_TOTAL');
    expect(job.parallel).toBeGreaterThan(1);
    expect(job.artifacts).toEqual({ when: 'always', paths: ['reports/'], reports: { junit: 'reports/junit.xml' } });
    expect(check).toContain('html=reports/lessons.html');
  });

  test('the checker itself rejects commands that do not exist', () => {
    const bad = commands(['npm run lesson -- chek --shard 1/2', 'npm run lessons', 'npm run lesson -- check --shards 1/2 --reporter tap', 'bash scripts/nope.sh']);
    expect(bad.flatMap((argv) => problems(argv, cli, scripts))).toEqual([
      'no lesson command "chek"',
      'no npm script "lessons"',
      'lesson check has no option --shards',
      'no reporter "tap"',
      'scripts/nope.sh does not exist',
    ]);
  });
});
