import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { keySequence, knownKeys } from '../../src/parse/keys.js';
import { runInTerminal, type TerminalRequest } from '../../src/run/terminal.js';

const fixtures = fileURLToPath(new URL('../fixtures/terminal/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'lesson-terminal-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function request(command: string, more: Partial<TerminalRequest> = {}): TerminalRequest {
  return {
    command,
    cwd: work,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work },
    input: [],
    keys: [],
    timeoutMs: 10_000,
    ...more,
  };
}

/** Pids of live processes whose argv is exactly `argv`; zombies are dead, only not yet reaped. */
function running(...argv: string[]): number[] {
  const wanted = `${argv.join('\0')}\0`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        return state !== 'Z' && readFileSync(`/proc/${pid}/cmdline`, 'utf8') === wanted;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('keySequence', () => {
  it.each([
    ['Ctrl+P', '\x10'],
    ['Ctrl+Q', '\x11'],
    ['ctrl-p', '\x10'],
    ['^C', '\x03'],
    ['C-d', '\x04'],
    ['Ctrl+[', '\x1b'],
    ['Enter', '\r'],
    ['Tab', '\t'],
    ['Esc', '\x1b'],
    ['Up', '\x1b[A'],
    ['page up', '\x1b[5~'],
  ])('%s', (key, bytes) => {
    expect(keySequence(key)).toBe(bytes);
  });

  it('sends arrows as ESC O x once the program asked for application cursor keys', () => {
    expect(keySequence('Up', { applicationCursor: true })).toBe('\x1bOA');
  });

  it('names an unknown key and lists the known ones', () => {
    expect(() => keySequence('Ctrl+Shift+P')).toThrow(/"Ctrl\+Shift\+P".*Enter/);
    expect(() => keySequence('Ctrl+1')).toThrow(/"Ctrl\+1"/);
    expect(knownKeys).toContain('Ctrl+Q');
  });
});

describe('runInTerminal', () => {
  it('types at busybox ash, which queries the cursor position after each prompt', async () => {
    const result = await runInTerminal(
      request(`exec env -i HOME=${work} PS1='/ # ' /bin/busybox ash`, { input: ['echo hello > f; cat f', 'exit'] }),
    );
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.screen).toMatch(/^\/ # echo hello > f; cat f\nhello\n\/ # exit$/m);
    expect(readFileSync(join(work, 'f'), 'utf8')).toBe('hello\n');
  });

  it('routes the emulator answer to a cursor-position query back to the program', async () => {
    const result = await runInTerminal(request(`exec node ${fixtures}cursor-query.mjs`, { input: ['hi'] }));
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    // The query was written after 11 characters on the first row.
    expect(result.screen).toContain('row 1 column 12');
    expect(result.screen).toContain('got hi');
  });

  it('ends an interactive bash with Ctrl+D after two lines', async () => {
    const result = await runInTerminal(
      request(`PS1='$ ' exec bash --noprofile --norc -i`, { input: ['echo one', 'echo two'], keys: ['Ctrl+D'] }),
    );
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.screen).toMatch(/^\$ echo one\none\n\$ echo two\ntwo\n/);
  });

  it('detaches with Ctrl+P Ctrl+Q sent as separate keystrokes', async () => {
    const typed = `echo "Ceci n'est pas un test" > /autre-fichier`;
    const result = await runInTerminal(
      request(`exec node ${fixtures}detach.mjs`, { input: [typed], keys: ['Ctrl+P', 'Ctrl+Q'] }),
    );
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.screen).toBe(`/ # ${typed}\nyou typed: ${typed}\n/ # read escape sequence`);
  });

  it('waits for the output to settle before taking a line for a prompt', async () => {
    const result = await runInTerminal(request(`exec node ${fixtures}split-prompt.mjs`, { input: ['yes'] }));
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.screen).toBe('cost: 5$ per month\n> yes\ngot yes');
  });

  it('returns when the program exits before all input was typed', async () => {
    const result = await runInTerminal(request('echo bye', { input: ['never typed'], keys: ['Ctrl+Q'] }));
    expect(result).toEqual(expect.objectContaining({ exitCode: 0, timedOut: false, screen: 'bye' }));
  });

  it('joins rows the terminal wrapped into the line that was printed', async () => {
    const long = 'x'.repeat(150);
    const result = await runInTerminal(request(`echo ${long}; echo end`, { cols: 100 }));
    expect(result.screen).toBe(`${long}\nend`);
  });

  it('rejects an unknown key before starting anything', async () => {
    await expect(runInTerminal(request('sleep 29', { keys: ['Ctrl+Shift+P'] }))).rejects.toThrow(/Ctrl\+Shift\+P/);
    expect(running('sleep', '29')).toEqual([]);
  });

  it('kills a program that never prompts when the time is up', async () => {
    const result = await runInTerminal(request('sleep 30', { input: ['hello'], timeoutMs: 500 }));
    expect(result).toMatchObject({ exitCode: null, timedOut: true });
    expect(result.durationMs).toBeLessThan(10_000);
    expect(running('sleep', '30')).toEqual([]);
  });

  it('leaves no timer keeping node alive once the killed program is gone', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    try {
      const result = await runInTerminal(request('sleep 35', { timeoutMs: 300 }));
      expect(result.timedOut).toBe(true);
      // Node marks a timer destroyed once it fired or was cleared.
      const pending = timers.mock.results.filter((timer) => !(timer.value as { _destroyed: boolean })._destroyed);
      expect(pending).toEqual([]);
    } finally {
      timers.mockRestore();
    }
  });

  it('kills background children too', async () => {
    const result = await runInTerminal(request('sleep 31 & exec sleep 32', { timeoutMs: 500 }));
    expect(result.timedOut).toBe(true);
    expect([...running('sleep', '31'), ...running('sleep', '32')]).toEqual([]);
  });

  it('kills jobs an interactive shell moved to their own process groups', async () => {
    const result = await runInTerminal(
      request(`exec env -i PS1='/ # ' /bin/busybox ash`, { input: ['sleep 33 & sleep 34'], timeoutMs: 1_000 }),
    );
    expect(result.timedOut).toBe(true);
    expect(result.screen).toContain('/ # sleep 33 & sleep 34');
    expect([...running('sleep', '33'), ...running('sleep', '34')]).toEqual([]);
  });
});
