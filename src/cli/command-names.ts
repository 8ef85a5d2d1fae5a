// The CLI's commands by name: main.ts defines one per name (commands.ts), and bin.cts keeps one code
// cache per name. Small and free of imports, since bin.cts reads it before anything else is loaded.

export const commandNames = ['run', 'plan', 'lint', 'check', 'fix', 'new', 'shell', 'clean', 'images'] as const;

export type CommandName = (typeof commandNames)[number];

/** `lesson layers` is `lesson run layers`. */
export const defaultCommand: CommandName = 'run';

/** The command a command line runs, or `options` for `--version`, `--help` and no argument at all. */
export function commandOf(args: string[]): CommandName | 'options' {
  const first = args[0];
  if (first === undefined || first.startsWith('-')) return 'options';
  return (commandNames as readonly string[]).includes(first) ? (first as CommandName) : defaultCommand;
}
