// The least a Node runner can do with the per-step workload, as a row of its table: read the page, find
// each ```console block with a regex (no Markdown parser), send every command to one bash, frame each
// output with a marker, compare. No normalizing, no report, no cleanup. What Node itself costs.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const page = readFileSync(process.argv[2], 'utf8');
const steps = [...page.matchAll(/^```console\n\$ (.*)\n([\s\S]*?)```$/gm)].map(([, command, expected]) => ({ command, expected }));
const marker = `__floor_${process.pid}`;
const bash = spawn('bash', ['-c', `while IFS= read -r -d '' c; do eval "$c"; printf '\\n${marker} %s\\n' "$?"; done`], { stdio: ['pipe', 'pipe', 'inherit'] });
bash.stdin.end(steps.map((step) => step.command + '\0').join(''));
let output = '';
bash.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
bash.on('close', () => {
  const outputs = output.split(new RegExp(`\\n${marker} \\d+\\n`));
  const failed = steps.filter((step, i) => outputs[i] !== step.expected).length;
  console.log(`${steps.length - failed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
});
