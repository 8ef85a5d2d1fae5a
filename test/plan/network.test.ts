// `network:` in the front matter, `--network` on the command line, and what the plan says of them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { planJson } from '../../src/plan/json.js';
import { lessonNetwork } from '../../src/plan/network.js';
import { planLesson } from '../../src/plan/index.js';
import { readPage } from '../../src/parse/page.js';
import { InputError } from '../../src/errors.js';
import { lesson } from '../helpers.js';

const page = (network?: string) =>
  ['---', 'requires: [docker]', ...(network === undefined ? [] : [`network: ${network}`]), '---', '# Out', '', '```console', '$ docker run --rm alpine wget -q -O - http://example.org/', '```', ''].join('\n');

const planned = (network?: string) => planLesson(readPage(page(network), 'out.md', 'out'));

describe('the network a lesson gets', () => {
  test('none unless the page or the command line asks; the command line wins', () => {
    expect(lessonNetwork(planned())).toBe('none');
    expect(lessonNetwork(planned('none'))).toBe('none');
    expect(lessonNetwork(planned('outbound'))).toBe('outbound');
    expect(lessonNetwork(planned(), 'outbound')).toBe('outbound');
    expect(lessonNetwork(planned('outbound'), 'none')).toBe('none');
  });

  test('a value that is not none or outbound is refused at its line', () => {
    const read = () => planned('wide');
    expect(read).toThrow(InputError);
    expect(read).toThrow('"network" must be none or outbound, got "wide"');
    try {
      read();
    } catch (error) {
      expect((error as InputError).line).toBe(3);
    }
  });

  test('plan --json says it, beside the keys it always had', () => {
    const json = JSON.parse(planJson(planned('outbound'))) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['lesson', 'requires', 'inferred', 'network', 'images', 'steps', 'settings']);
    expect(json.network).toBe('outbound');
    expect((JSON.parse(planJson(planned('outbound'), 'none')) as { network: string }).network).toBe('none');
    expect((JSON.parse(planJson(planned())) as { network: string }).network).toBe('none');
  });
});

describe('lesson plan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-network-plan-'));
  const file = join(dir, 'out.md');
  writeFileSync(file, page('outbound'));

  test('in text, names the network and what it governs; --network overrides the page', async () => {
    const open = await lesson(['plan', file]);
    expect(open.exitCode, open.all).toBe(0);
    expect(open.stdout).toContain('network outbound (the engine and its containers reach the outside through slirp4netns)');
    const shut = await lesson(['plan', file, '--network', 'none']);
    expect(shut.stdout).toContain('network none (the engine and its containers reach nothing outside)');
  });

  test('--json, for one lesson and for several', async () => {
    const one = await lesson(['plan', file, '--json', '--network', 'none']);
    expect((JSON.parse(one.stdout) as { network: string }).network).toBe('none');
    const two = await lesson(['plan', file, file, '--json']);
    expect((JSON.parse(two.stdout) as { network: string }[]).map((plan) => plan.network)).toEqual(['outbound', 'outbound']);
  });

  test('--network takes none or outbound only', async () => {
    const run = await lesson(['plan', file, '--network', 'wide']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("argument 'wide' is invalid. Allowed choices are none, outbound.");
  });
});
