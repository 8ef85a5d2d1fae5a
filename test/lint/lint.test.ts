import { describe, expect, test } from 'vitest';
import { lintLesson, type Finding } from '../../src/lint/index.js';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';
import type { Snapshot } from '../../src/types.js';

const fence = '```';
/** Lints a page given as lines; returns `line rule severity` rows and the messages. */
function lint(lines: string[], recorded?: Snapshot): Finding[] {
  const page = readPage(lines.join('\n') + '\n', 'page.md', 'page', { lenient: true });
  return lintLesson({ lesson: planLesson(page), problems: page.problems, recorded });
}
const rows = (findings: Finding[]) => findings.map((f) => `${f.line} ${f.rule} ${f.severity}`);

describe('file-case', () => {
  test('a file written as Hello.c and read as hello.c is an error that names both, and the plan keeps what the page says', () => {
    const page = ['Hello.c', '', `${fence}c`, 'int main(void) { return 0; }', fence, '', fence, 'gcc -o hello hello.c', fence];
    const findings = lint(page);
    expect(rows(findings)).toEqual(['8 file-case error']);
    expect(findings[0]!.message).toBe('`hello.c` is read here, but the page writes `Hello.c` (line 3): the names differ in case, and on Linux they are two files');
    expect(planLesson(readPage(page.join('\n'), 'page.md', 'page')).steps[1]).toMatchObject({ command: 'gcc -o hello hello.c' });
  });

  test('`docker build .` reads Dockerfile: a `dockerfile` written instead is an error', () => {
    expect(rows(lint(['dockerfile', '', `${fence}dockerfile`, 'FROM alpine', fence, '', fence, 'docker build -t app .', fence]))).toEqual(['8 file-case error']);
  });

  test('the same name in the same case is fine', () => {
    expect(lint(['Dockerfile', '', `${fence}dockerfile`, 'FROM alpine', fence, '', fence, 'docker build -t app .', fence])).toEqual([]);
  });
});

describe('missing-file', () => {
  test('a file no step writes, and one written only later, are warnings', () => {
    const findings = lint([fence, 'python3 app.py', 'cat notes.txt', 'echo hi > notes.txt', fence]);
    expect(rows(findings)).toEqual(['2 missing-file warning', '3 missing-file warning']);
    expect(findings[1]!.message).toContain('the step that writes it comes later (line 4)');
  });

  test('files followed through cd, Dockerfile sources read at build time, and files a clone may bring are not reported', () => {
    const page = [
      fence, 'mkdir app && cd app', fence, '',
      'Dockerfile', '', `${fence}dockerfile`, 'FROM python:3-alpine', 'COPY main.py .', fence, '',
      'main.py', '', `${fence}python`, 'print(1)', fence, '',
      fence, 'docker build -t app .', 'git clone https://example.com/demo.git', 'cat demo/README.md', fence,
    ];
    expect(lint(page)).toEqual([]);
  });

  test('`cd ..` comes back: paths are read from where the shell is', () => {
    const findings = lint([fence, 'mkdir app && cd app', 'echo hi > a.txt', 'cd ..', 'cat app/a.txt', 'cat a.txt', fence]);
    expect(findings.map((f) => `${f.line} ${f.message}`)).toEqual(['6 `a.txt` is read here, but no step writes it']);
  });

  test('a Dockerfile source that no step writes is reported at the Dockerfile', () => {
    expect(rows(lint(['Dockerfile', '', `${fence}dockerfile`, 'FROM alpine', 'COPY run.sh /', fence]))).toEqual(['3 missing-file warning']);
  });
});

describe('placeholder', () => {
  test('a <placeholder> in a command or a typed line is an error', () => {
    const findings = lint([fence, 'docker stop <container-id>', fence]);
    expect(rows(findings)).toEqual(['2 placeholder error']);
    expect(findings[0]!.message).toContain('placeholder <container-id> in a command');
  });

  test('redirections, here-documents and quoted HTML are not placeholders', () => {
    expect(lint([fence, 'sort <in.txt >out.txt', "curl -s localhost | grep '<title>'", 'cat > index.html <<EOF', '<h1>hi</h1>', 'EOF', fence])).toEqual(
      [{ line: 2, rule: 'missing-file', severity: 'warning', message: '`in.txt` is read here, but no step writes it' }],
    );
  });
});

describe('session-exit', () => {
  test('a session the page never leaves is an error; exit or keys are ways out', () => {
    expect(rows(lint([`${fence}console`, '$ docker run -it alpine sh', '/ # ls', fence]))).toEqual(['2 session-exit error']);
    expect(lint([`${fence}console`, '$ docker run -it alpine sh', '/ # ls', '/ # exit', fence])).toEqual([]);
    expect(lint(['<!-- lesson: keys="Ctrl+P Ctrl+Q" -->', `${fence}console`, '$ docker run -it alpine sh', '/ # ls', fence])).toEqual([]);
  });

  test('a one-shot command in a terminal needs no way out', () => {
    expect(lint([fence, 'docker run -it --rm alpine ls', fence])).toEqual([]);
  });
});

describe('never-ends', () => {
  test('followers, foreground servers and endless pings forced into the foreground are errors', () => {
    const page = ['<!-- lesson: background=false -->', fence, 'docker logs -f web', 'docker run -p 8080:80 nginx', 'ping example.com', 'docker compose up', 'tail -F app.log', fence];
    expect(rows(lint(page)).filter((row) => row.includes('never-ends'))).toEqual(['3 never-ends error', '4 never-ends error', '5 never-ends error', '6 never-ends error', '7 never-ends error']);
  });

  test('detached, counted, backgrounded or annotated with a timeout, they end', () => {
    const page = [fence, 'docker run -d -p 8080:80 nginx', 'ping -c 3 example.com', 'docker logs -f web &', 'docker compose up -d', fence, '', '<!-- lesson: timeout=5s -->', fence, 'docker logs -f web', fence];
    expect(rows(lint(page)).filter((row) => row.includes('never-ends'))).toEqual([]);
  });
});

describe('unknown-key', () => {
  test('unknown annotation and front-matter keys are errors listing the known ones, and linting goes on', () => {
    const findings = lint(['---', 'titel: x', '---', '<!-- lesson: detach=yes -->', fence, 'docker stop <id>', fence]);
    expect(rows(findings)).toEqual(['2 unknown-key error', '4 unknown-key error', '6 placeholder error']);
    expect(findings[1]!.message).toMatch(/unknown annotation "detach"; known: file, title, keys, timeout, fails, unordered, skip, check-page/);
    expect(findings[0]!.message).toMatch(/unknown front-matter key "titel"; known: .*check-page/);
  });
});

describe('page-output', () => {
  const page = [`${fence}console`, '$ seq 2', '1', '2', fence];
  const recorded = (output: string): Snapshot => ({ lesson: 'page.md', environment: {}, steps: { 'page-1': { line: 2, command: 'seq 2', exit: 0, output } } });

  test('a page whose output no longer matches what its step printed last time: a warning, an error where the page is the reference (the next run fails)', () => {
    expect(lint(page, recorded('1\n2\n'))).toEqual([]);
    const drifted = lint(page, recorded('1\n3\n'));
    expect(drifted).toEqual([{ line: 2, rule: 'page-output', severity: 'warning', message: 'page output matches 1/2 lines of what the step printed when its snapshot was recorded' }]);
    expect(rows(lint(['---', 'check-page: true', '---', ...page], recorded('1\n3\n')))).toEqual(['5 page-output error']);
    expect(rows(lint(['<!-- lesson: check-page -->', `${fence}console`, '$ seq 2 > /dev/null 2>&1', '1', fence]))).toEqual(['3 page-output error']);
  });

  test('output shown under a command that sends all of it elsewhere', () => {
    const findings = lint([`${fence}console`, '$ ls /nowhere &> errors.txt', "ls: cannot access '/nowhere'", fence]);
    expect(findings.map((f) => f.message)).toEqual(['the page shows output, but the command sends all of it to errors.txt']);
  });
});
