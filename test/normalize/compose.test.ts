// The `compose` normalizer on outputs recorded from Debian's docker-compose 1.29.2 against a private
// engine (test/fixtures/outputs/compose-*.v1.txt, CRLF and colours as it wrote them), and on 2.x's plain
// progress (compose-*.v2.txt, written in the shape the plugin prints: no plugin on the recording machine).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it, test } from 'vitest';
import { normalizeCompose } from '../../src/normalize/compose.js';
import { builtInNormalizers, normalizeRun } from '../../src/normalize/index.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/outputs/${name}`, import.meta.url), 'utf8');
}

function normalize(outputs: string[], projects?: string[]): string[] {
  return normalizeRun(outputs, { settings: { disable: [], rules: [] }, projects });
}

/** Expected text, one argument per line, ending with a newline as command output does. */
function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}

/**
 * The output's lines in another order that a run could have printed, seeded so a failure replays:
 * lines move only among their neighbours of the same phase (`phase` gives its key; 2.x: one phase).
 */
function shuffled(text: string, seed: number, phase: (line: string) => string = (line) => /^\S+(?: (?:network|volume) )?/.exec(line)?.[0] ?? ''): string {
  const all = text.replace(/\n$/, '').split('\n');
  const result: string[] = [];
  let state = seed;
  for (let start = 0; start < all.length; ) {
    let end = start;
    while (end < all.length && phase(all[end]!) === phase(all[start]!)) end++;
    const group = all.slice(start, end);
    for (let i = group.length - 1; i > 0; i--) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      const j = state % (i + 1);
      [group[i], group[j]] = [group[j]!, group[i]!];
    }
    result.push(...group);
    start = end;
  }
  return `${result.join('\n')}\n`;
}

describe('compose in the pipeline', () => {
  it('applies after the placeholders are in, before the tables', () => {
    expect(builtInNormalizers).toEqual(['ansi', 'pulls', 'paths', 'rootless', 'buildkit', 'kernel', 'times', 'names', 'ids', 'addresses', 'compose', 'tables']);
  });
});

describe('docker-compose 1.29, recorded', () => {
  const [up, ps, logs, down, downVolumes] = normalize([
    fixture('compose-up.v1.txt'),
    fixture('compose-ps.v1.txt'),
    fixture('compose-logs.v1.txt'),
    fixture('compose-down.v1.txt'),
    fixture('compose-down-v.v1.txt'),
  ]);

  it('names the project after its default network, and sorts the progress lines within each phase', () => {
    expect(up).toBe(
      lines(
        'Creating network "<project-1>_default" with the default driver',
        'Creating volume "<project-1>_data" with default driver',
        'Creating <project-1>_client_1 ...',
        'Creating <project-1>_client_1 ... done',
        'Creating <project-1>_web_1 ...',
        'Creating <project-1>_web_1 ... done',
      ),
    );
  });

  it('keeps the project in the later outputs, and fixes the ps header that follows the widest name', () => {
    expect(ps).toBe(
      lines(
        'Name  Command  State  Ports',
        '---',
        '<project-1>_client_1  sh -c sleep 1; wget -qO- h ...  Exit 0',
        '<project-1>_web_1  sh -c mkdir -p /www && cp  ...  Up',
      ),
    );
    expect(down).toBe(
      lines(
        'Stopping <project-1>_web_1 ...',
        'Stopping <project-1>_web_1 ... done',
        'Removing <project-1>_client_1 ...',
        'Removing <project-1>_client_1 ... done',
        'Removing <project-1>_web_1 ...',
        'Removing <project-1>_web_1 ... done',
        'Removing network <project-1>_default',
      ),
    );
    expect(downVolumes).toContain('Removing volume <project-1>_data\n');
  });

  it('drops the log prefix padding and orders the services, each keeping its own order', () => {
    expect(logs).toBe(
      lines(
        'Attaching to <project-1>_client_1, <project-1>_web_1',
        'client_1 | bonjour',
        'client_1 | fetched',
        'web_1 | serving',
        'web_1 | [::ffff:172.18.0.3]:49970: response:200',
      ),
    );
  });

  it('gives the same text for any order the progress and log lines came in', () => {
    const outputs = ['compose-up.v1.txt', 'compose-logs.v1.txt', 'compose-down.v1.txt', 'compose-down-v.v1.txt'].map(fixture);
    const reference = normalize(outputs);
    for (let seed = 1; seed <= 30; seed++) {
      // A service's own log lines keep their order in any run: only the interleaving of services changes.
      const [up, log, down, downVolumes] = outputs;
      const interleaved = log!.replace(/\r/g, '').split('\n');
      const web = interleaved.filter((line) => line.includes('web_1 '));
      const client = interleaved.filter((line) => line.includes('client_1 '));
      const merged: string[] = [interleaved[0]!];
      let state = seed;
      while (web.length + client.length > 0) {
        state = (state * 48271) % 2147483647;
        merged.push((state % 2 === 0 && web.length > 0) || client.length === 0 ? web.shift()! : client.shift()!);
      }
      expect(normalize([shuffled(up!, seed), `${merged.join('\n')}\n`, shuffled(down!, seed), shuffled(downVolumes!, seed)])).toEqual(reference);
    }
  });

  it('still shows a real change: a container missing, a service whose lines changed order, a phase out of its place, another project', () => {
    const [up] = normalize([fixture('compose-up.v1.txt').replace(/Creating work_client_1 [^\n]*\n/g, '')]);
    expect(up).not.toContain('client_1');
    const logs = fixture('compose-logs.v1.txt').replace(/\r/g, '');
    const swapped = logs.replace(/(.*bonjour)\n(.*fetched)/, '$2\n$1');
    expect(normalize([swapped])[0]).not.toBe(normalize([logs])[0]);
    const down = fixture('compose-down.v1.txt').replace(/\r/g, '');
    const networkFirst = `Removing network work_default\n${down.replace('Removing network work_default\n', '')}`;
    expect(normalize([networkFirst])[0]).not.toBe(normalize([down])[0]);
    const [first, second] = normalize([fixture('compose-up.v1.txt'), fixture('compose-up.v1.txt').replaceAll('work_', 'other_')]);
    expect(second).toBe(first!.replaceAll('<project-1>', '<project-2>'));
  });
});

describe('docker compose 2.x', () => {
  it('reads the project in `proj-web-1` names too, and sorts Container/Network/Volume lines', () => {
    const [up] = normalize([fixture('compose-up.v2.txt')]);
    expect(up).toBe(
      lines(
        ' Container <project-1>-client-1  Created',
        ' Container <project-1>-client-1  Creating',
        ' Container <project-1>-client-1  Started',
        ' Container <project-1>-client-1  Starting',
        ' Container <project-1>-web-1  Created',
        ' Container <project-1>-web-1  Creating',
        ' Container <project-1>-web-1  Started',
        ' Container <project-1>-web-1  Starting',
        ' Network <project-1>_default  Created',
        ' Network <project-1>_default  Creating',
        ' Volume "<project-1>_data"  Created',
        ' Volume "<project-1>_data"  Creating',
      ),
    );
    expect(normalize([shuffled(fixture('compose-up.v2.txt'), 7, () => '2.x')])).toEqual([up]);
  });

  it('turns the durations of a terminal progress view into <duration>, whatever they were', () => {
    const view = (a: string, b: string) => ` ✔ Network myapp_default  Created  ${a}\n ✔ Container myapp-web-1  Started  ${b}\n`;
    const [once] = normalize([view('0.1s', '0.4s')]);
    expect(once).toBe(lines(' ✔ Container <project-1>-web-1  Started  <duration>', ' ✔ Network <project-1>_default  Created  <duration>'));
    expect(normalize([view('1.2s', '10.0s')])).toEqual([once]);
  });

  it('drops the log padding of `web-1  |` prefixes and orders services', () => {
    expect(normalize([fixture('compose-logs.v2.txt')])[0]).toBe(lines('client-1 | bonjour', 'client-1 | fetched', 'web-1 | serving', 'web-1 | GET / 200'));
  });

  it('takes projects from the engine, for outputs that show no default network', () => {
    expect(normalize(['NAME  IMAGE\ndemo-web-1  alpine\n'], ['demo'])[0]).toBe('NAME  IMAGE\n<project-1>-web-1  alpine\n');
    // Not a name compose made: a word, a longer name, a path.
    const plain = 'demo\ndemonstration-web-1\n/srv/demo/x\nmy-demo_x\n';
    expect(normalize([plain], ['demo'])[0]).toBe(plain);
  });
});

describe('compose, on generated outputs', () => {
  const piece = fc.oneof(
    fc.constantFrom('Creating ', 'Removing ', 'network ', 'volume ', ' Container ', ' Network ', 'Volume ', ' ... ', '...', ' done', ' | ', '  |', '|', ' is up-to-date'),
    fc.constantFrom('work_web_1', 'work-web-1', 'web_1', 'web-1', 'work_default', '"work_data"', 'work', 'Started', 'Created', 'Name', 'Command', 'State', 'Ports', '---'),
    fc.constantFrom(' ', '  ', '    ', '\n', '\r\n', '<project-1>'),
    fc.string({ maxLength: 6 }),
  );
  const text = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''));
  const projects = fc.constantFrom([], ['work'], ['demo', 'work']);

  test('is idempotent, and leaves alone what its quick tests pass over', () => {
    fc.assert(
      fc.property(text, projects, (output, known) => {
        const once = normalizeCompose(known)(output);
        expect(normalizeCompose(known)(once)).toBe(once);
        if (!/[_-]/.test(output) && !/\.\.\.|up-to-date|(?:network|volume|Container|Network|Volume|Image) | \||Name +Command/.test(output)) {
          expect(once).toBe(output);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
