// Run before `npm run lesson` and `npm test`: installs what this clone lacks, so a newcomer's first
// two commands are the README's two lines. Node modules (and so the built CLI) when missing or older
// than the lock file; Debian's packages when run as root, saying what it installs, otherwise one line
// with the command to run. Quiet and quick when nothing is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`lesson: ${line}\n`);
const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status === 0;

// npm keeps its own copy of the lock in node_modules once `npm ci` or `npm install` has run.
const installed = join(root, 'node_modules', '.package-lock.json');
// npm writes both files at the end of an install, in no set order: a second between them is no change.
const stale = !existsSync(installed) || statSync(installed).mtimeMs + 1000 < statSync(join(root, 'package-lock.json')).mtimeMs;
if (stale) {
  say('installing the node modules first (npm ci)');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) process.exit(1);
} else if (!existsSync(join(root, 'dist', 'cli', 'bin.cjs'))) {
  say('building the CLI first (npm run build)');
  if (!run('npm', ['run', 'build'])) process.exit(1);
}

const check = spawnSync('bash', [join(root, 'scripts', 'setup.sh'), '--check'], { encoding: 'utf8' });
if (check.status === 1) {
  const missing = check.stdout.trim();
  if (process.getuid?.() === 0) {
    if (!run('bash', [join(root, 'scripts', 'setup.sh')])) process.exit(1);
  } else {
    say(`missing Debian packages: ${missing}; install them with: sudo bash scripts/setup.sh`);
  }
}
