import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LessonShell } from '../../src/run/lesson-shell.js';

describe("the lesson shell's errors read as a reader's interactive bash prints them", () => {
  let dir: string;
  let shell: LessonShell;
  beforeAll(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'lesson-errors-')));
    shell = LessonShell.start({ cwd: dir, env: { PATH: process.env.PATH, HOME: dir } });
  });
  afterAll(async () => {
    await shell.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a missing program: no line number, the status kept', async () => {
    expect(await shell.run('figlet_nowhere hello', 5000)).toMatchObject({ exitCode: 127, output: 'bash: figlet_nowhere: command not found\n' });
    expect(await shell.run('echo a\nfiglet_nowhere', 5000)).toMatchObject({ exitCode: 127, output: 'a\nbash: figlet_nowhere: command not found\n' });
  });

  test("a builtin's error and a missing path, as bash prints them at a prompt", async () => {
    expect(await shell.run('cd /nowhere', 5000)).toMatchObject({ exitCode: 1, output: 'bash: cd: /nowhere: No such file or directory\n' });
    expect(await shell.run('./nowhere', 5000)).toMatchObject({ exitCode: 127, output: 'bash: ./nowhere: No such file or directory\n' });
  });

  test('$0 is bash; a bash the step starts keeps its own messages', async () => {
    expect(await shell.run('echo "$0"', 5000)).toMatchObject({ exitCode: 0, output: 'bash\n' });
    expect(await shell.run("bash -c 'figlet_nowhere'", 5000)).toMatchObject({ exitCode: 127, output: 'bash: line 1: figlet_nowhere: command not found\n' });
  });
});
