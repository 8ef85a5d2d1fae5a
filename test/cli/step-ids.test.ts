// -u that records some steps only (--step ID, -t PATTERN), the other entries kept as they are; and a
// step named by the page (id=) whose entry survives a step inserted above it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { Snapshot } from '../../src/types.js';
import { lesson } from '../helpers.js';

const block = (command: string, annotation = '') => `${annotation}\`\`\`console\n$ ${command}\n\`\`\`\n\n`;
const named = '<!-- lesson: id=greeting -->\n';

function folder(): { dir: string; path: string; snapshot: () => Snapshot['steps'] } {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-ids-'));
  const path = join(dir, 'steps.md');
  return { dir, path, snapshot: () => (parse(readFileSync(join(dir, 'steps.yaml'), 'utf8')) as Snapshot).steps };
}

describe('steps that keep their name, and recording some of them', () => {
  test('a named step keeps its entry when a step is inserted above it', async () => {
    const { dir, path, snapshot } = folder();
    writeFileSync(path, `# Some steps\n\n${block('echo one')}${block('echo hello', named)}`);
    expect((await lesson(['run', path, '-u', '--snapshots', dir])).exitCode).toBe(0);
    expect(Object.keys(snapshot())).toEqual(['some-steps-1', 'greeting']);

    writeFileSync(path, `# Some steps\n\n${block('echo zero')}${block('echo one')}${block('echo hello', named)}`);
    const run = await lesson(['run', path, '--snapshots', dir], { env: { CI: 'true' } });
    expect(run.stdout).toContain(`✓ ${path}:13  echo hello`);
    // The unnamed steps after the insertion moved to other ids.
    expect(run.stdout).toContain(`✗ ${path}:4  echo zero`);
  });

  test('-u --step ID and -t PATTERN record only those steps; the other entries stay as recorded', async () => {
    const { dir, path, snapshot } = folder();
    writeFileSync(path, `# Some steps\n\n${block('echo one')}${block('echo two')}${block('echo hello', named)}`);
    expect((await lesson(['run', path, '-u', '--snapshots', dir])).exitCode).toBe(0);
    const recorded = snapshot();

    writeFileSync(path, `# Some steps\n\n${block('echo uno')}${block('echo dos')}${block('echo hola', named)}`);
    const one = await lesson(['run', path, '-u', '--step', 'greeting', '--snapshots', dir]);
    // The steps it did not record are checked as a run checks them: they differ.
    expect(one.exitCode).toBe(1);
    expect(snapshot()).toEqual({ ...recorded, greeting: { ...recorded.greeting, command: 'echo hola', output: 'hola\n' } });

    const matching = await lesson(['run', path, '-u', '-t', '^echo d', '--snapshots', dir]);
    expect(matching.stdout).toContain(`u ${path}:8  echo dos`);
    expect(snapshot()).toEqual({ ...recorded, 'some-steps-2': { ...recorded['some-steps-2'], command: 'echo dos', output: 'dos\n' }, greeting: { ...recorded.greeting, command: 'echo hola', output: 'hola\n' } });
  });

  test('an unknown step, a pattern that matches none, or --step without -u: exit 2, nothing recorded', async () => {
    const { dir, path } = folder();
    writeFileSync(path, `# Some steps\n\n${block('echo one')}${block('echo hello', named)}`);
    const unknown = await lesson(['run', path, '-u', '--step', 'greting', '--snapshots', dir]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('--step greting: no such step; its steps: some-steps-1, greeting');
    const none = await lesson(['run', path, '-u', '-t', 'nothing-like-this', '--snapshots', dir]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('matches no step');
    const alone = await lesson(['run', path, '--step', 'greeting', '--snapshots', dir]);
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toContain('--step and -t choose the steps -u records: add -u');
  });
});
