// Commands that keep running while the page goes on: which ones the plan runs in the background, and
// where it says the lesson stops them. The pages of test/fixtures/pages/background-*.md, which the run
// tests run for real, are compared step by step with plans written by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';
import { planJson } from '../../src/plan/json.js';
import { root } from '../helpers.js';

const fence = '```';

function plan(source: string) {
  return (JSON.parse(planJson(planLesson(readPage(source, 'page.md', 'page')))) as { steps: Record<string, unknown>[] }).steps;
}

function planFixture(name: string) {
  const file = join(root, 'test/fixtures/pages', name);
  return plan(readFileSync(file, 'utf8'));
}

describe('the fixture pages, step by step', () => {
  test('docker logs -f of a container started with -d: in the background until the lesson ends, the steps after it as they were', () => {
    expect(planFixture('background-logs.md')).toEqual([
      { id: 'follow-a-containers-log-1', kind: 'command', line: 10, command: "docker run -d --name talker alpine sh -c 'echo one; echo two; exec sleep 1000'" },
      {
        id: 'follow-a-containers-log-2',
        kind: 'command',
        line: 17,
        command: 'docker logs -f talker',
        expected: 'one\ntwo',
        background: { name: 'docker', reason: '`docker logs -f` follows the log', stop: { by: 'end' } },
      },
      { id: 'follow-a-containers-log-3', kind: 'command', line: 25, command: "docker exec talker sh -c 'echo three > /proc/1/fd/1'" },
      { id: 'follow-a-containers-log-4', kind: 'command', line: 31, command: "docker ps --format '{{.Names}} {{.Image}}'", expected: 'talker alpine' },
    ]);
  });

  test('a server the prose starts "in another terminal", stopped by a stop annotation before a later block', () => {
    expect(planFixture('background-server.md')).toEqual([
      { id: 'a-server-in-another-terminal-1', kind: 'command', line: 13, command: 'mkdir site && echo hello > site/index.html' },
      {
        id: 'a-server-in-another-terminal-2',
        kind: 'command',
        line: 20,
        command: 'busybox httpd -f -vv -p 127.0.0.1:18765 -h site',
        expected: '127.0.0.1:40312: url:/\n127.0.0.1:40312: response:200',
        background: { name: 'httpd', reason: 'the page says "another terminal"', stop: { by: 'annotation', line: 35 } },
      },
      { id: 'a-server-in-another-terminal-3', kind: 'command', line: 28, command: 'busybox wget -q -O - http://127.0.0.1:18765/', expected: 'hello' },
      {
        id: 'a-server-in-another-terminal-4',
        kind: 'command',
        line: 36,
        command: 'busybox wget -q -O - http://127.0.0.1:18765/ || echo down',
        expected: "wget: can't connect to remote host (127.0.0.1): Connection refused\ndown",
      },
    ]);
  });

  test("a ^C under the command, the page's pkill, a name given by annotation, French prose, the lesson's end", () => {
    expect(planFixture('background-stops.md')).toEqual([
      { id: 'where-the-page-stops-them-1', kind: 'command', line: 6, command: 'echo first > log.txt' },
      {
        id: 'where-the-page-stops-them-2',
        kind: 'command',
        line: 7,
        command: 'tail -f log.txt',
        expected: 'first',
        background: { name: 'tail', reason: '`tail -f` follows the file', stop: { by: 'ctrl-c', line: 9 } },
      },
      { id: 'where-the-page-stops-them-3', kind: 'command', line: 10, command: 'echo second >> log.txt' },
      {
        id: 'where-the-page-stops-them-4',
        kind: 'command',
        line: 17,
        command: 'busybox httpd -f -p 127.0.0.1:18766 -h .',
        background: { name: 'web', reason: 'annotated background', stop: { by: 'kill', line: 29 } },
      },
      // Right after the annotated block, with no prose between: the annotation is the block before's only.
      { id: 'where-the-page-stops-them-5', kind: 'command', line: 21, command: 'busybox wget -q -O - http://127.0.0.1:18766/log.txt', expected: 'first\nsecond' },
      { id: 'where-the-page-stops-them-6', kind: 'command', line: 29, command: "pkill -f 'httpd -f -p 127.0.0.1:18766'" },
      { id: 'where-the-page-stops-them-7', kind: 'command', line: 30, command: 'busybox wget -q -O - http://127.0.0.1:18766/log.txt || echo gone', expected: 'gone' },
      {
        id: 'where-the-page-stops-them-8',
        kind: 'command',
        line: 37,
        command: 'tail -f log.txt',
        background: { name: 'tail', reason: 'the page says "un autre terminal"', stop: { by: 'end' } },
      },
    ]);
  });
});

describe('what runs in the background', () => {
  test('every command the page shows that never ends by itself, unless it is run with & or forced into the foreground', () => {
    const recognized = ['watch -n1 date', 'docker events', 'docker stats', 'docker logs --follow web', 'ping 127.0.0.1', 'python3 -m http.server 8000', 'nc -l -p 9000', 'busybox httpd -f -p 8080', 'docker run -p 8080:80 nginx', 'docker compose up'];
    const steps = plan([fence, ...recognized, 'docker stats --no-stream', 'ping -c 1 127.0.0.1', 'tail -f app.log &', fence].join('\n'));
    expect(steps.map((step) => [step.command, step.background !== undefined])).toEqual([...recognized.map((command) => [command, true]), ['docker stats --no-stream', false], ['ping -c 1 127.0.0.1', false], ['tail -f app.log &', false]]);
    expect(plan(['<!-- lesson: background=false -->', fence, 'docker events', fence].join('\n'))[0]).not.toHaveProperty('background');
  });

  test('a block the prose puts in another terminal runs there as a whole, its commands one after the other', () => {
    for (const prose of ['In another terminal, run:', 'Open a new terminal window and start the server:', 'In a second terminal:', 'Dans un autre terminal, lancez :', 'Ouvrez un nouveau terminal :']) {
      const [step, ...rest] = plan([prose, '', `${fence}console`, '$ cd app', '$ ./serve --port 8000', 'listening on 8000', fence, '', 'Then:', '', fence, 'echo done', fence].join('\n'));
      expect(step, prose).toMatchObject({ kind: 'command', line: 4, command: 'cd app\n./serve --port 8000', expected: 'listening on 8000', background: { name: 'serve', stop: { by: 'end' } } });
      expect(rest).toEqual([{ id: 'page-2', kind: 'command', line: 12, command: 'echo done' }]);
    }
    expect(plan(['In the first terminal, run:', '', fence, 'echo here', fence].join('\n'))[0]).not.toHaveProperty('background');
  });

  test('while a session is open, "another terminal" is the host: the block runs there, in the foreground', () => {
    const steps = plan([`${fence}console`, '$ docker run -it ubuntu', 'root@04c0bb0a6c07:/# ls', fence, '', 'In another terminal:', '', `${fence}console`, '$ docker ps', fence].join('\n'));
    expect(steps.at(-1)).toEqual({ id: 'page-2', kind: 'command', line: 9, command: 'docker ps' });
  });
});

describe('where the lesson stops them', () => {
  const server = (annotation: string) => ['<!-- lesson: background=web -->', fence, 'serve --port 8000', fence, '', 'And a log:', '', fence, 'tail -f log', fence, '', 'Later:', '', annotation, fence, 'echo later', fence].join('\n');

  test('stop stops every one still running; stop=NAME the one named, the others at the end', () => {
    const all = plan(server('<!-- lesson: stop -->'));
    expect(all.map((step) => (step.background as { stop?: unknown } | undefined)?.stop)).toEqual([{ by: 'annotation', line: 15 }, { by: 'annotation', line: 15 }, undefined]);
    const one = plan(server('<!-- lesson: stop=web -->'));
    expect(one.map((step) => (step.background as { stop?: unknown } | undefined)?.stop)).toEqual([{ by: 'annotation', line: 15 }, { by: 'end' }, undefined]);
  });

  test('a stop before a command in inline code stops before it', () => {
    const steps = plan([fence, 'docker events', fence, '', 'Then:', '', '<!-- lesson: stop -->', '`docker ps`', ''].join('\n'));
    expect(steps.map((step) => step.line)).toEqual([2, 8]);
    expect(steps[0]!.background).toMatchObject({ stop: { by: 'annotation', line: 7 } });
  });

  test('a ^C at the top of a later block stops the last one started; a block of nothing but ^C is that stop, not a step', () => {
    const steps = plan([fence, 'docker events', fence, '', 'Now:', '', fence, 'docker run alpine true', fence, '', 'Back there:', '', fence, '^C', fence, '', fence, 'echo after', fence].join('\n'));
    expect(steps.map((step) => [step.line, step.kind])).toEqual([[2, 'command'], [8, 'command'], [18, 'command']]);
    expect(steps[0]!.background).toMatchObject({ stop: { by: 'ctrl-c', line: 14 } });
  });

  test("a stop with nothing running, or a name nothing has, is an error at its block's line", () => {
    const error = (source: string) => {
      try {
        planLesson(readPage(source, 'page.md', 'page'));
      } catch (thrown) {
        if (thrown instanceof InputError) return thrown.describe();
        throw thrown;
      }
      return 'no error';
    };
    expect(error(['<!-- lesson: stop -->', fence, 'echo x', fence].join('\n'))).toBe('page.md:2: annotation "stop": no background command is running here');
    expect(error(server('<!-- lesson: stop=db -->'))).toBe('page.md:15: annotation "stop": no background command named "db" is running here; running: web (line 3), tail (line 9)');
    expect(error(['<!-- lesson: background="a b" -->', fence, 'x', fence].join('\n'))).toBe('page.md:1: annotation "background" takes a name (letters, digits, - _ .) or false, got "a b"');
  });
});
