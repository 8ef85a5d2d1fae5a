/** A shell prompt found at the start of a line of a code block. */
export interface PromptMatch {
  /** The prompt as written, e.g. `$ ` or `ubuntu@vps319836 ~/t/tmp ❯❯❯ `. */
  prompt: string;
  /** What follows the prompt: the command typed, or '' for a bare prompt. */
  rest: string;
  /**
   * `root`: `#` alone, which reads like a shell comment, so only a prompt when the context says so.
   * `powershell`: `PS C:\> `, or `> ` opening a block; recognised, never run here.
   */
  style: 'shell' | 'root' | 'powershell';
}

// Order matters: the most specific styles first, so `user@host:~$ ` is not read as `hostname$ `.
const end = '(?:[ \\t]|$)';
const styles: RegExp[] = [
  new RegExp(`^[\\w.-]+@[\\w.-]+:[^\\s$#]*[$#]${end}`), // user@host:~/dir$ , root@3f2a1b:/#
  new RegExp(`^[\\w.-]+@[\\w.-]+ [^\\s$#❯]+ ?[$#%]${end}`), // user@host ~/dir $
  new RegExp(`^\\[[\\w.-]+@[\\w.-]+(?: [^\\]]*)?\\][$#]${end}`), // [root@0ecccdfa45ef /]# (Red Hat's bash)
  new RegExp(`^➜  [\\w.~/-]+ (?:git:\\([^)]*\\) )?(?:✗ )?`), // oh-my-zsh: ➜  app git:(main) ✗
  new RegExp(`^(?:[\\w.@~/:-]+ )*[❯➜λ]+${end}`), // zsh themes: user@host ~/dir ❯❯❯ , ➜
  new RegExp(`^[~/][^\\s]* [$#]${end}`), // ~/dir $ , / # (busybox), /app #
  new RegExp(`^[\\w.-]+[$%]${end}`), // hostname$ , hostname%
  new RegExp(`^\\$${end}`), // $
];
const rootPrompt = new RegExp(`^#${end}`);
const powershell = /^PS(?: [^>]*)?> ?/;
/** `> docker ps`: PowerShell's short prompt, but also bash's PS2 and npm's banner; see `opensWithShortPrompt`. */
const shortPrompt = new RegExp(`^>${end}`);

export function matchPrompt(line: string, custom: RegExp[] = [], shortPrompts = false): PromptMatch | undefined {
  for (const list of [custom, styles]) {
    for (const style of list) {
      const found = style.exec(line);
      if (found) return match(line, found[0], 'shell');
    }
  }
  const ps = powershell.exec(line) ?? (shortPrompts ? shortPrompt.exec(line) : null);
  if (ps) return match(line, ps[0], 'powershell');
  const root = rootPrompt.exec(line);
  if (root) return match(line, root[0], 'root');
  return undefined;
}

/**
 * `> ` is a prompt only in a block that starts with it: anywhere else it continues a line (bash's
 * PS2) or is a program's own output (`npm start` prints `> app@1.0.0 start`).
 */
export function opensWithShortPrompt(lines: string[]): boolean {
  const first = lines.find((line) => line.trim() !== '');
  return first !== undefined && shortPrompt.test(first);
}

function match(line: string, prompt: string, style: PromptMatch['style']): PromptMatch {
  return { prompt, rest: line.slice(prompt.length).trim(), style };
}
