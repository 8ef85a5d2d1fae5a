/** A shell prompt found at the start of a line of a code block. */
export interface PromptMatch {
  /** The prompt as written, e.g. `$ ` or `ubuntu@vps319836 ~/t/tmp ❯❯❯ `. */
  prompt: string;
  /** What follows the prompt: the command typed, or '' for a bare prompt. */
  rest: string;
  /** `#` alone reads like a shell comment: only a prompt when the context says so. */
  ambiguous: boolean;
  powershell: boolean;
}

// Order matters: the most specific styles first, so `user@host:~$ ` is not read as `hostname$ `.
const styles: RegExp[] = [
  /^[\w.-]+@[\w.-]+:[^\s$#]*[$#](?: |$)/, // user@host:~/dir$ , root@3f2a1b:/#
  /^[\w.-]+@[\w.-]+ [^\s$#❯]+ ?[$#%](?: |$)/, // user@host ~/dir $
  /^(?:[\w.@~/:-]+ )*[❯➜λ]+(?: |$)/, // zsh themes: user@host ~/dir ❯❯❯ , ➜
  /^[~/][^\s]* [$#](?: |$)/, // ~/dir $ , / # (busybox), /app #
  /^[\w.-]+[$%](?: |$)/, // hostname$ , hostname%
  /^\$(?: |$)/, // $
];
const rootPrompt = /^#(?: |$)/;
const powershell = /^PS(?: [^>]*)?> ?/;

export function matchPrompt(line: string, custom: RegExp[] = []): PromptMatch | undefined {
  for (const style of [...custom, ...styles]) {
    const found = style.exec(line);
    if (found) return match(line, found[0], false, false);
  }
  const ps = powershell.exec(line);
  if (ps) return match(line, ps[0], false, true);
  const root = rootPrompt.exec(line);
  if (root) return match(line, root[0], true, false);
  return undefined;
}

function match(line: string, prompt: string, ambiguous: boolean, isPowershell: boolean): PromptMatch {
  return { prompt, rest: line.slice(prompt.length).trim(), ambiguous, powershell: isPowershell };
}
