// The reports CI systems read, written by the real CLI: JUnit XML and the HTML page, including for a page
// and outputs full of markup and control characters.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { lesson } from '../helpers.js';
import { findAll, parseXml } from './xml.js';

const fixtures = 'test/fixtures/check';
const ci = { env: { CI: 'true' } };

describe('junit', () => {
  test('one testsuite per lesson, one testcase per step with its file and line, the diff as failure text', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lesson-junit-')), 'nested/junit.xml');
    const run = await lesson(['check', fixtures, '--snapshots', join(fixtures, 'snapshots'), '--reporter', `junit=${file}`, '--reporter', 'default'], ci);
    expect(run.exitCode).toBe(1);
    expect(run.stdout.split('\n').at(-1)).toBe('1 passed, 1 failed, 1 skipped');

    const root = parseXml(readFileSync(file, 'utf8'));
    expect(root.name).toBe('testsuites');
    const suites = findAll(root, 'testsuite');
    expect(suites.map((s) => [s.attributes.name, s.attributes.file])).toEqual([
      ['Failing', 'test/fixtures/check/failing.md'],
      ['Needs a tool', 'test/fixtures/check/needs-tool.md'],
      ['Plain shell', 'test/fixtures/check/plain.md'],
    ]);
    const cases = findAll(root, 'testcase');
    expect(root.attributes).toMatchObject({ tests: String(cases.length), failures: '1', errors: '0', skipped: '1' });
    expect(cases.map((c) => `${c.attributes.file}:${c.attributes.line}`)).toEqual([
      'test/fixtures/check/failing.md:9',
      'test/fixtures/check/failing.md:11',
      'test/fixtures/check/needs-tool.md:8',
      'test/fixtures/check/plain.md:10',
      'test/fixtures/check/plain.md:16',
      'test/fixtures/check/plain.md:18',
    ]);
    const [failure] = findAll(root, 'failure');
    expect(failure!.attributes.message).toBe('output differs from the snapshot');
    expect(failure!.text).toContain('@@ -1,1 +1,1 @@\n-hello 42\n+hello 48');
    expect(findAll(cases[2]!, 'skipped')[0]!.attributes.message).toBe('no-such-program-for-lesson-tests not found on PATH');
    expect(cases[1]!.children).toEqual([]);
  });
});

describe('a page full of markup and control characters', () => {
  const page = [
    '---',
    'title: Hostile <b>page</b> & co',
    '---',
    '# Hostile',
    '',
    "<script>alert('prose')</script>",
    '',
    'A [bad link](javascript:void), a remote image ![pic](https://example.com/pic.png), a [good link](https://example.com/docs).',
    '',
    '```console',
    `$ printf '<script>alert("out")</script> & \\001 \\033[31mred\\033[0m\\n'`,
    '```',
    '',
  ].join('\n');

  async function reports() {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-hostile-'));
    writeFileSync(join(dir, 'hostile.md'), page);
    const record = await lesson(['check', join(dir, 'hostile.md'), '--snapshots', dir, '-u'], { env: { CI: 'false' } });
    expect(record.exitCode, record.all).toBe(0);
    // The recorded output is changed, so the report has a diff with markup on both sides.
    const snapshot = parse(readFileSync(join(dir, 'hostile.yaml'), 'utf8')) as { steps: Record<string, { output: string }> };
    for (const entry of Object.values(snapshot.steps)) entry.output = '<i>recorded</i> ]]> "quoted"\n';
    writeFileSync(join(dir, 'hostile.yaml'), stringify(snapshot));
    const run = await lesson(
      ['check', join(dir, 'hostile.md'), '--snapshots', dir, '--reporter', `junit=${dir}/junit.xml`, '--reporter', `html=${dir}/report.html`],
      ci,
    );
    expect(run.exitCode).toBe(1);
    return { junit: readFileSync(join(dir, 'junit.xml'), 'utf8'), html: readFileSync(join(dir, 'report.html'), 'utf8') };
  }

  test('the JUnit report still parses and keeps the text', async () => {
    const { junit } = await reports();
    const root = parseXml(junit);
    expect(findAll(root, 'testsuite')[0]!.attributes.name).toBe('Hostile <b>page</b> & co');
    expect(findAll(root, 'failure')[0]!.text).toContain('-<i>recorded</i> ]]> "quoted"\n+<script>alert("out")</script> & ');
  });

  test('the HTML report escapes every output, drops the page raw HTML and unsafe links, and loads nothing', async () => {
    const { html } = await reports();
    expect(html).not.toMatch(/<script|<img|href="javascript:|<i>recorded/i);
    expect(html).toContain('&#x3C;script>alert("out")&#x3C;/script> &#x26;');
    expect(html).toContain('&#x3C;i>recorded&#x3C;/i>');
    expect(html).toContain('<title>Lessons: 0 passed, 1 failed, 0 skipped</title>');
    expect(html).toContain('Hostile &#x3C;b>page&#x3C;/b> &#x26; co');
    expect(html).toContain('<a href="https://example.com/docs">good link</a>');
    expect(html).toMatch(/bad link/);
    expect(html).toContain('[image: pic]');
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; style-src &#x27;unsafe-inline&#x27;">');
  });
});

describe('html placement', () => {
  test('a command in inline code on its own line gets its result right under it, not at the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-html-'));
    writeFileSync(join(dir, 'inline.md'), '# Inline\n\nRun it:\n\n`echo inline-step`\n\nThen more prose.\n');
    const run = await lesson(['check', join(dir, 'inline.md'), '--snapshots', dir, '--reporter', `html=${dir}/report.html`]);
    expect(run.exitCode).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const block = html.indexOf('<div class="block passed"><p><code>echo inline-step</code></p>');
    expect(block).toBeGreaterThan(-1);
    expect(block).toBeLessThan(html.indexOf('Then more prose.'));
  });
});
