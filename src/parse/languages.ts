/** Info strings of blocks read as shell sessions or command lists. */
export const shellLanguages: ReadonlySet<string> = new Set([
  '', 'sh', 'bash', 'shell', 'zsh', 'console', 'shell-session', 'shellsession', 'sh-session', 'bash-session',
  'terminal', 'text', 'plaintext', 'txt', 'none', 'cli',
]);

/** Scripts: their `# ` lines are comments, never a root prompt. */
export const scriptLanguages: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh']);

/** Windows shells: recognised, never run here. */
export const windowsLanguages: ReadonlySet<string> = new Set(['powershell', 'ps1', 'pwsh', 'cmd', 'bat', 'batch', 'doscon']);

/** Data and plain output: right after a command (see `CodeBlock.followsBlock`), such a block is what the command printed. */
export const outputLanguages: ReadonlySet<string> = new Set(['json', 'yaml', 'yml', 'xml', 'text', 'plaintext', 'txt', 'output', 'log', 'none']);
