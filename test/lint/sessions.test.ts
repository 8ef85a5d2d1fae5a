import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lintLesson, type Finding } from '../../src/lint/index.js';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';
import { root } from '../helpers.js';

const fence = '```';
function lint(source: string): Finding[] {
  const page = readPage(source, 'page.md', 'page', { lenient: true });
  return lintLesson({ lesson: planLesson(page), problems: page.problems });
}
const rows = (findings: Finding[]) => findings.map((f) => `${f.line} ${f.rule} ${f.severity}`);
const corpus = (name: string) => readFileSync(join(root, 'test/plan/corpus', name), 'utf8');

describe('container-prompt', () => {
  test('a line at a container prompt with no session open is an error at its line, whatever the prompt style', () => {
    expect(rows(lint(corpus('session-across-blocks.md')))).toEqual(['51 container-prompt error']);
    expect(rows(lint(corpus('red-hat-prompt.md')))).toEqual(['20 container-prompt error']);
    const [finding] = lint(corpus('red-hat-prompt.md'));
    expect(finding?.message).toBe("`ip a` is typed at a container's prompt ([root@0ecccdfa45ef /]#) with no session open: never run on the host; open the session on the page, or annotate session=false if it is the host's");
  });

  test('an annotated block with no session open is one too; session=false says the block is the host\'s', () => {
    expect(rows(lint(corpus('session-annotated.md')))).toEqual(['31 container-prompt error']);
    expect(lint(['<!-- lesson: session=false -->', `${fence}console`, '/ # hostname', fence].join('\n') + '\n')).toEqual([]);
  });
});

describe('session-exit, for a session later blocks type into', () => {
  test('its way out may come in a later block, or the lesson ends it', () => {
    const opened = `${fence}console\n$ docker run -it alpine sh\n/ #\n${fence}\n\nProse.\n\n`;
    expect(lint(`${opened}${fence}console\n/ # ls\n${fence}\n`)).toEqual([]);
    expect(lint(`${opened}${fence}console\n/ # ls\n/ # exit\n${fence}\n`)).toEqual([]);
    expect(rows(lint(opened))).toEqual(['2 session-exit error']);
  });
});

describe('placeholder, in a later block typed into a session', () => {
  test('is an error at that block', () => {
    const source = `${fence}console\n$ docker run -it alpine sh\n${fence}\n\nThen:\n\n${fence}console\n/ # ping <address>\n/ # exit\n${fence}\n`;
    expect(rows(lint(source))).toEqual(['8 placeholder error']);
  });
});

describe('placeholder, for a slide of templates', () => {
  test('each line the plan does not run is an error at its line, saying why', () => {
    const findings = lint(corpus('slide-templates.md')).filter((finding) => finding.rule === 'placeholder');
    expect(rows(findings)).toEqual(['8 placeholder error', '9 placeholder error', '10 placeholder error', '23 placeholder error', '33 placeholder error']);
    expect(findings[1]?.message).toBe('usage syntax [OPTIONS] in a command: not run');
  });
});
