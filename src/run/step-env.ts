// The environment of a lesson's shell, and so of every step: the user's, with the lesson's engine and
// working directory, in one locale whoever runs it, so a snapshot never records a reader's language.

/** The locale steps run in when the page's front matter names none. */
export const DEFAULT_LOCALE = 'C.UTF-8';

// LC_* and LANGUAGE each override LANG for some messages or formats: all of them go.
const overridesLang = (name: string): boolean => name.startsWith('LC_') || name === 'LANGUAGE';

export function stepEnv(
  base: NodeJS.ProcessEnv,
  engineEnv: Record<string, string> | undefined,
  workdir: string,
  locale: string = DEFAULT_LOCALE,
): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(Object.entries(base).filter(([name]) => !overridesLang(name)));
  return { ...kept, ...engineEnv, LANG: locale, LESSON_WORKDIR: workdir };
}
