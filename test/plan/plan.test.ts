import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';
import { InputError } from '../../src/errors.js';

const seedPath = new URL('../fixtures/pages/layers-seed.md', import.meta.url);
const plan = (source: string, path = 'page.md') => planLesson(readPage(source, path, 'page'));
const brief = (source: string) => plan(source).steps.map(({ id: _id, ...step }) => step);

describe('the seed page "Layers images", read with no annotation', () => {
  const lesson = plan(readFileSync(seedPath, 'utf8'), 'layers.md');

  test('gives the 10 steps a careful reader sees', () => {
    expect(lesson.steps.map((s) => [s.kind, s.line, s.kind === 'file' ? s.path : 'command' in s ? s.command : ''])).toEqual([
      ['file', 6, 'Dockerfile.base'],
      ['file', 13, 'Dockerfile'],
      ['command', 20, 'docker build -t revollat/layers1 -f Dockerfile.base .'],
      ['command', 21, 'docker build -t revollat/layers2 -f Dockerfile .'],
      ['command', 28, 'docker image history revollat/layers1  && docker image history revollat/layers2'],
      ['interactive', 44, 'docker run -it revollat/layers2'],
      ['command', 52, 'docker container diff $(docker container ls -lq)'],
      ['command', 61, 'docker container commit $(docker container ls -lq) revollat/layers3'],
      ['command', 67, 'docker image history revollat/layers2  && docker image history revollat/layers3'],
      ['command', 76, 'docker image inspect revollat/layers1 | jq'],
    ]);
  });

  test('keeps file contents, typed lines and shown outputs; drops the trailing bare prompt', () => {
    const [base, , , , history, session, diff] = lesson.steps;
    expect(base).toMatchObject({ kind: 'file', content: 'FROM alpine\nRUN touch /test\n' });
    expect(session).toMatchObject({ kind: 'interactive', input: [`echo "Ceci n'est pas un test" > /autre-fichier`] });
    expect(diff).toMatchObject({ kind: 'command', expected: 'C /autre-fichier\nC /root\nA /root/.ash_history' });
    const shown = history?.kind === 'command' ? (history.expected ?? '') : '';
    expect(shown.split('\n')).toHaveLength(9);
    expect(shown).not.toContain('❯❯❯');
  });

  test('ids are the section slug and an ordinal', () => {
    expect(lesson.steps.map((s) => s.id)).toContain('modifier-et-commit-des-modifs-2');
    expect(new Set(lesson.steps.map((s) => s.id)).size).toBe(10);
  });

  test('the "Docker hub" section holds no step: prose', () => {
    expect(lesson.sections.find((s) => s.title.startsWith('Docker hub'))).toMatchObject({ line: 70, steps: 0 });
  });

  test('reads a CRLF copy exactly as the LF page', () => {
    const crlf = plan(readFileSync(seedPath, 'utf8').replace(/\n/g, '\r\n'), 'layers.md');
    expect(crlf.steps).toEqual(lesson.steps);
  });
});

describe('prompts and blocks', () => {
  test('user@host:path$ and busybox / # prompts, output kept under its command; / # with no session open is not run', () => {
    expect(brief('```console\nalice@box:~/app$ ls\nREADME.md\n/ # id -u\n0\n```\n')).toEqual([
      { kind: 'command', line: 2, command: 'ls', expected: 'README.md' },
      { kind: 'skip', line: 4, command: 'id -u', reason: expect.stringContaining("typed at a container's prompt (/ #) with no session open"), fault: 'container-prompt' },
    ]);
  });

  test('an unprompted block: every command line is a step; continuations are joined', () => {
    expect(brief('```\ndocker build \\\n  -t web .\necho done\n```\n')).toEqual([
      { kind: 'command', line: 2, command: 'docker build \\\n  -t web .' },
      { kind: 'command', line: 4, command: 'echo done' },
    ]);
  });

  test('in a bash script, # lines are comments; in an unlabelled block, # + a command is a root prompt', () => {
    expect(brief('```bash\n# install it\nls\n```\n')).toEqual([{ kind: 'command', line: 3, command: 'ls' }]);
    expect(brief('```\n# apt-get install -y jq\n```\n')).toEqual([{ kind: 'command', line: 2, command: 'apt-get install -y jq' }]);
  });

  test('docker run -it with a one-shot command is interactive with nothing typed; with a shell, lines until exit are typed', () => {
    const steps = brief('```\n$ docker run -it alpine ls /\n$ docker run --rm -it -e A=1 alpine sh\n/ # echo $A\n1\n/ # exit\n$ echo back\n```\n');
    expect(steps).toEqual([
      { kind: 'interactive', line: 2, command: 'docker run -it alpine ls /', input: [] },
      { kind: 'interactive', line: 3, command: 'docker run --rm -it -e A=1 alpine sh', input: ['echo $A', 'exit'], expected: '1' },
      { kind: 'command', line: 7, command: 'echo back' },
    ]);
  });

  test('a file named by title= in the info string, and an annotation comment', () => {
    const steps = brief('```dockerfile {title=Dockerfile}\nFROM alpine\n```\n\n<!-- lesson: keys="Ctrl+P Ctrl+Q" timeout=5s -->\n```\n$ docker run -it alpine\n```\n');
    expect(steps).toEqual([
      { kind: 'file', line: 1, path: 'Dockerfile', content: 'FROM alpine\n' },
      { kind: 'interactive', line: 7, command: 'docker run -it alpine', input: [], keys: ['Ctrl+P', 'Ctrl+Q'], timeoutMs: 5000 },
    ]);
  });

  test('a block that is not a shell and names no file is reported, not run', () => {
    expect(brief('```dockerfile\nFROM alpine\n```\n')).toMatchObject([{ kind: 'skip', line: 1 }]);
  });
});

describe('bad input names the file and line', () => {
  const error = (source: string) => {
    try {
      plan(source, 'bad.md');
    } catch (e) {
      return e as InputError;
    }
    throw new Error('no error');
  };

  test('is described as file:line: message, or as the message alone without a file', () => {
    expect(new InputError('bad', 'bad.md', 3).describe()).toBe('bad.md:3: bad');
    expect(new InputError('bad', 'bad.md').describe()).toBe('bad.md: bad');
    expect(new InputError('bad').describe()).toBe('bad');
  });

  test('an unknown front-matter key', () => {
    const e = error('---\ntitle: x\nrequire: [docker]\n---\n# x\n');
    expect([e.location, e.message]).toEqual(['bad.md:3', expect.stringContaining('unknown front-matter key "require"')]);
  });

  test('an unknown annotation lists the known ones', () => {
    const e = error('# x\n\n<!-- lesson: detach=yes -->\n```\nls\n```\n');
    expect(e.location).toBe('bad.md:3');
    expect(e.message).toMatch(/unknown annotation "detach"; known: file, title, keys/);
  });

  test('a misspelt key lists the known ones', () => {
    const e = error('# x\n\n<!-- lesson: keys="Ctrl+X Crtl+Q" -->\n```\n$ nano notes\n```\n');
    expect(e.location).toBe('bad.md:3');
    expect(e.message).toMatch(/Unknown key "Crtl\+Q": use Ctrl\+<letter> .* Enter, Tab/);
  });

  test('a file step that would write outside the working directory', () => {
    expect(error('../evil.sh\n\n```sh\necho\n```\n').location).toBe('bad.md:3');
    expect(error('```sh {title=/etc/passwd}\nx\n```\n').message).toMatch(/outside the lesson's working directory/);
  });
});
