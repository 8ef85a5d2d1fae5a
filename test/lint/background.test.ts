// never-ends once the plan runs what it recognizes in the background: only what nothing stops is reported.
import { describe, expect, test } from 'vitest';
import { lintLesson, type Finding } from '../../src/lint/index.js';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';

const fence = '```';
function lint(lines: string[]): Finding[] {
  const page = readPage(lines.join('\n') + '\n', 'page.md', 'page', { lenient: true });
  return lintLesson({ lesson: planLesson(page), problems: page.problems });
}
const neverEnds = (findings: Finding[]) => findings.filter((f) => f.rule === 'never-ends').map((f) => `${f.line} ${f.severity}: ${f.message}`);

describe('never-ends, with background steps', () => {
  test('a recognized command runs in the background until a stop: nothing to report', () => {
    expect(neverEnds(lint([fence, 'docker logs -f web', 'busybox httpd -f -p 8080', 'nc -l -p 9000', fence]))).toEqual([]);
  });

  test('forced into the foreground, or needing a terminal, nothing stops it: an error that says how to run it in the background', () => {
    expect(neverEnds(lint(['<!-- lesson: background=false -->', fence, 'nc -l -p 9000', fence, '', 'And:', '', fence, 'docker run -t -p 8080:80 nginx', fence]))).toEqual([
      '3 error: `nc -l` listens and never ends by itself: run it in the background on the page (& or -d), or annotate the block background (it then runs until a stop), timeout=… or skip="why"',
      '9 error: `docker run` publishes a port in the foreground: a server and never ends by itself: run it in the background on the page (& or -d), or annotate the block background (it then runs until a stop), timeout=… or skip="why"',
    ]);
  });

  test('a stop that names nothing running makes the page unreadable for lint, at its block', () => {
    expect(() => lint(['<!-- lesson: stop=web -->', fence, 'echo x', fence])).toThrow('annotation "stop": no background command named "web" is running here');
  });
});
