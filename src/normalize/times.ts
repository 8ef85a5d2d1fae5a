import { valueEnd, valueStart } from './boundary.js';
import type { Transform } from './transform.js';

// The phrases of Docker's human durations (go-units HumanDuration): "Less than a second",
// "About a minute", "About an hour", "5 weeks"…
const humanDuration =
  '(?:Less than a second|About an? (?:minute|hour)|\\d+ (?:second|minute|hour|day|week|month|year)s?)';

const months = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const weekdays = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const clock = '\\d{2}:\\d{2}:\\d{2}';
const hasClock = /\d\d:\d\d:\d\d/;

/**
 * Each pattern with its placeholder. No pattern matches a placeholder, so the rule is idempotent.
 * `needs` is what any match holds, tested first: most outputs hold no time at all, and one quick test
 * costs less than a pattern with lookbehinds tried at every character.
 */
export const timePatterns: Array<{ pattern: RegExp; replacement: string; needs: RegExp }> = [
  // `9 minutes ago`, `Exited (0) 2 seconds ago` → `Exited (0) <ago>`: a past moment, said relatively.
  { pattern: new RegExp(`${valueStart}${humanDuration} ago${valueEnd}`, 'g'), replacement: '<ago>', needs: / ago/ },
  // `Up 3 seconds (healthy)` → `Up <duration> (healthy)`. An uptime is a length of time, not a
  // moment, so it shares `<duration>` with build timings; the `Up` stays because it says the
  // container is running, which is the part a lesson checks.
  { pattern: new RegExp(`${valueStart}Up ${humanDuration}${valueEnd}`, 'g'), replacement: 'Up <duration>', needs: /Up / },
  // RFC 3339 / ISO 8601 (`2026-11-28T12:56:41.123456789Z`) and Go's time.String()
  // (`2026-11-28 12:56:41.5 +0100 CET m=+0.001`), which docker prints in templates and `docker events`.
  {
    pattern: new RegExp(
      `(?<!\\d)\\d{4}-\\d{2}-\\d{2}[T ]${clock}(?:[.,]\\d+)?` +
        `(?:Z| ?[+-]\\d{2}(?::?\\d{2})?(?: [A-Z]{2,5}(?!\\w)| [+-]\\d{2}(?!\\d))?)?(?: m=[+-]\\d+\\.\\d+)?(?!\\d)`,
      'g',
    ),
    replacement: '<time>',
    needs: hasClock,
  },
  // `date` in a container: `Sat Nov 28 12:56:41 UTC 2026` (the day is space-padded: `Nov  8`).
  {
    pattern: new RegExp(`${valueStart}${weekdays} ${months} [ \\d]\\d ${clock}(?: [A-Z]{2,5})? \\d{4}(?!\\d)`, 'g'),
    replacement: '<time>',
    needs: hasClock,
  },
  // HTTP `Date:` headers from `curl -i` against a container: `Sat, 28 Nov 2026 12:56:41 GMT`.
  {
    pattern: new RegExp(`${valueStart}${weekdays}, \\d{2} ${months} \\d{4} ${clock} (?:GMT|UTC|[+-]\\d{4})(?!\\w)`, 'g'),
    replacement: '<time>',
    needs: hasClock,
  },
  // `ls -l` rows: `Dec  1 21:57` for a file of the last six months, `Dec  1  2025` for an older one,
  // `2026-12-01 21:57` with --time-style=long-iso (`--full-time` is the ISO form above). Only in a row
  // that starts with a file mode, where a month and a day can be nothing else.
  {
    pattern: new RegExp(`(?<=^[-bcdlpsD][-rwxsStT]{9}[.+@]?\\s.*)(?:${months} [ \\d]\\d (?:\\d{2}:\\d{2}| \\d{4})|\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2})(?![\\d:])`, 'gm'),
    replacement: '<time>',
    needs: /^[-bcdlpsD][-rwxsStT]{9}/m,
  },
  // BuildKit plain progress stamps each log line with seconds since the step began: `#6 0.215 hello`.
  { pattern: /^(#\d+ )\d+\.\d+(?= |$)/gm, replacement: '$1<duration>', needs: /^#\d/m },
  // `DONE 0.3s`, `[+] Building 1.2s`, Go durations `1m2.5s`, `350ms`. A bare `5s` is left alone:
  // BuildKit and Go always print a fraction or a compound, and `5s` in prose is more likely a value.
  {
    pattern: new RegExp(
      `(?<!\\.)${valueStart}(?:(?:\\d+h)?\\d+m\\d+(?:\\.\\d+)?s|\\d+\\.\\d+(?:s|ms|µs|us|ns)|\\d+(?:ms|µs|us|ns))(?!\\w|\\.\\d)`,
      'g',
    ),
    replacement: '<duration>',
    needs: /\d[smµun]/,
  },
];

/**
 * The `times` normalizer: moments and lengths of time, which differ on every run. Two values may touch
 * (`9 minutes ago2026-11-28…`) and one only stands alone once the other is a placeholder, so the
 * patterns apply until nothing changes: a second run over the result finds nothing.
 */
export const replaceTimes: Transform = (text) => {
  let result = text;
  for (let before = ''; before !== result; ) {
    before = result;
    for (const { pattern, replacement, needs } of timePatterns) if (needs.test(result)) result = result.replace(pattern, replacement);
  }
  return result;
};
