import { mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';
import { renderGithub } from './github.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { ProgressReporter, type Output } from './progress.js';
import { Reporters, type Reporter, type RunReport } from './reporter.js';

/** Reporters by the names vitest uses; `github-actions` is vitest's own name for `github`. */
const documents: Record<string, (run: RunReport) => string> = {
  junit: renderJunit,
  json: renderJson,
  github: renderGithub,
  'github-actions': renderGithub,
  html: (run) => renderHtml(run),
};
export const reporterNames = ['default', ...Object.keys(documents)];

/** Written in one piece when the run ends, to a file or to stdout. */
class DocumentReporter implements Reporter {
  constructor(
    private readonly render: (run: RunReport) => string,
    private readonly file: string | undefined,
  ) {}

  runEnd(run: RunReport): void {
    const text = this.render(run);
    if (this.file === undefined) {
      process.stdout.write(text);
      return;
    }
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, text);
  }
}

/** Plain lines appended to a file as they come (`--reporter default=check.log`). */
function fileOutput(file: string): Output {
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  return { write: (text: string) => writeSync(fd, text) };
}

/**
 * `--reporter NAME[=FILE]`, repeatable; none means `default`. The default reporter goes last, so the
 * closing `N passed, N failed, N skipped` stays the last line on stdout. When every report goes to a
 * file, the person running it still sees the progress on stdout, unless `silent`.
 */
export function chooseReporters(specs: string[], options: { silent?: boolean } = {}): Reporter {
  const toFilesOnly = specs.length > 0 && specs.every((spec) => spec.includes('='));
  const all = specs.length === 0 || (toFilesOnly && !options.silent) ? [...specs, 'default'] : specs;
  const parsed = all.map((spec) => {
    const [name = '', ...rest] = spec.split('=');
    const file = rest.length ? rest.join('=') : undefined;
    if (!reporterNames.includes(name)) throw new InputError(`unknown reporter "${name}"; known: ${reporterNames.join(', ')}`);
    if (file === '') throw new InputError(`--reporter ${name}= needs a file name after "="`);
    return { name, file };
  });
  const onStdout = parsed.filter((p) => p.file === undefined);
  const whole = onStdout.find((p) => ['junit', 'json', 'html'].includes(p.name));
  if (whole && onStdout.length > 1) {
    const other = onStdout.find((p) => p !== whole)!.name;
    throw new InputError(`--reporter ${whole.name} and --reporter ${other} would both write to stdout; give one a file: --reporter ${whole.name}=FILE`);
  }
  const ordered = [...parsed.filter((p) => p.name !== 'default'), ...parsed.filter((p) => p.name === 'default')];
  return new Reporters(
    ordered.map(({ name, file }) =>
      name === 'default' ? new ProgressReporter(file === undefined ? process.stdout : fileOutput(file)) : new DocumentReporter(documents[name]!, file),
    ),
  );
}
