// Key names as a lesson writes them (`Ctrl+P`, `^C`, `Enter`) → the bytes a terminal sends for them.

/** Named keys in normal (not application) cursor mode, as an xterm-compatible terminal sends them. */
const named: Record<string, string> = {
  enter: '\r',
  return: '\r',
  tab: '\t',
  escape: '\x1b',
  esc: '\x1b',
  backspace: '\x7f',
  space: ' ',
  delete: '\x1b[3~',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  home: '\x1b[H',
  end: '\x1b[F',
  pageup: '\x1b[5~',
  pagedown: '\x1b[6~',
};

/** Keys a terminal sends differently once a program switches it to application cursor mode (DECCKM), as readline and vim do. */
const applicationCursor: Record<string, string> = {
  up: '\x1bOA',
  down: '\x1bOB',
  right: '\x1bOC',
  left: '\x1bOD',
  home: '\x1bOH',
  end: '\x1bOF',
};

/** The characters that Ctrl turns into C0 controls: clearing bit 6 of `@`..`_` gives 0x00..0x1f. */
const ctrlable = '@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_';

export const knownKeys: readonly string[] = [
  ...[...ctrlable].map((c) => `Ctrl+${c}`),
  'Enter',
  'Tab',
  'Escape',
  'Esc',
  'Backspace',
  'Space',
  'Delete',
  'Up',
  'Down',
  'Right',
  'Left',
  'Home',
  'End',
  'PageUp',
  'PageDown',
];

export interface KeyOptions {
  /** The program has turned on application cursor mode, so arrows are sent as `ESC O x`. */
  applicationCursor?: boolean;
}

/**
 * "Ctrl+P" → "\x10", "Enter" → "\r"... Case-insensitive; Ctrl may also be written `Ctrl-P`, `^P` or `C-p`.
 * Throws an Error naming the key when it is unknown, so a typo in a lesson is reported rather than typed.
 */
export function keySequence(key: string, options: KeyOptions = {}): string {
  const name = key.trim();
  const ctrl = /^(?:(?:ctrl|control|c)\s*[-+]\s*|\^)(.)$/i.exec(name)?.[1];
  if (ctrl !== undefined) {
    const index = ctrlable.indexOf(ctrl.toUpperCase());
    if (index >= 0) return String.fromCharCode(index);
  } else {
    const lower = name.toLowerCase().replace(/[\s_-]/g, '');
    const sequence = (options.applicationCursor ? applicationCursor[lower] : undefined) ?? named[lower];
    if (sequence !== undefined) return sequence;
  }
  throw new Error(
    `Unknown key "${key}": use Ctrl+<letter> (also Ctrl-P, ^P, C-p) or one of ${knownKeys.filter((k) => !k.startsWith('Ctrl+')).join(', ')}`,
  );
}
