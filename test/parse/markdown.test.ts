import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Nodes, Root } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { afterAll, describe, expect, test } from 'vitest';
import { writeCorpus } from '../../bench/corpus.mjs';
import { parseMarkdown, toLf } from '../../src/parse/markdown.js';
import { root } from '../helpers.js';

const remark = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']);

/** What the planner reads of a tree: block nodes with their lines, code with its info and text, and the text of headings and paragraphs. */
function outline(tree: Root): string[] {
  const rows: string[] = [];
  const visit = (node: Nodes) => {
    if (['heading', 'paragraph', 'code', 'html', 'yaml', 'list', 'listItem', 'blockquote'].includes(node.type)) {
      const line = node.position?.start.line;
      if (node.type === 'code') rows.push(`${line} code ${node.lang} ${node.meta} ${JSON.stringify(node.value)}`);
      else if (node.type === 'html' || node.type === 'yaml') rows.push(`${line} ${node.type} ${JSON.stringify(node.value)}`);
      else if (node.type === 'heading' || node.type === 'paragraph') rows.push(`${line} ${node.type} ${JSON.stringify(plain(node))}`);
      else rows.push(`${line} ${node.type}`);
    }
    if ('children' in node && node.type !== 'heading' && node.type !== 'paragraph') node.children.forEach((child) => visit(child as Nodes));
  };
  visit(tree);
  return rows;
}

function plain(node: Nodes): string {
  if (node.type === 'inlineCode') return `\`${node.value}\``;
  if (node.type === 'break') return '\n';
  if ('value' in node) return node.value;
  return 'children' in node ? node.children.map((child) => plain(child as Nodes)).join('') : '';
}

function pagesWeKnow(): [string, string][] {
  const folders = ['lessons', 'test/fixtures/pages', 'test/plan/corpus'].map((folder) => join(root, folder));
  const pages = folders.flatMap((folder) => {
    try {
      return readdirSync(folder).filter((f) => f.endsWith('.md')).map((f) => join(folder, f));
    } catch {
      return [];
    }
  });
  const scratch = mkdtempSync(join(tmpdir(), 'lesson-markdown-corpus-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const generated = writeCorpus(scratch, 5, 6000);
  return [
    ...pages.map((path): [string, string] => [relative(root, path), readFileSync(path, 'utf8')]),
    ...generated.map((path: string): [string, string] => [`generated/${relative(scratch, path)}`, readFileSync(path, 'utf8')]),
  ];
}

describe('the fast tokenizer builds the same tree remark builds', () => {
  test.each(pagesWeKnow())('%s', (_path, source) => {
    expect(outline(parseMarkdown(source))).toEqual(outline(remark.parse(toLf(source))));
  });

  test('what is nested deeper than the tokenizer reads is refused at its line, never dropped', () => {
    expect(() => parseMarkdown(`# Deep\n\n${'> '.repeat(70)}text\n\n\`\`\`\nls\n\`\`\`\n`, 'deep.md')).toThrow(/nested more than \d+ levels deep/);
    let thrown: unknown;
    try {
      parseMarkdown(`# Deep\n\n${'> '.repeat(70)}text\n`, 'deep.md');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ location: 'deep.md:3' });
    expect(outline(parseMarkdown(`${'> '.repeat(30)}\`x\``))).toHaveLength(31);
  });

  test('front matter keeps the lines of everything after it', () => {
    const tree = parseMarkdown('---\ntitle: x\n---\n# Heading\n\n```sh\nls\n```\n');
    expect(outline(tree)).toEqual(['1 yaml "title: x"', '4 heading "Heading"', '6 code sh null "ls"']);
  });

  test('front matter closes at a `---` line, not at `---` after a U+2028 inside a line', () => {
    const tree = parseMarkdown('---\ntitle: x\u2028---\n# t\n---\n# After\n');
    expect(tree.children[0]).toMatchObject({ type: 'yaml', value: 'title: x\u2028---\n# t', position: { end: { line: 4 } } });
    expect(outline(tree).at(-1)).toBe('5 heading "After"');
  });
});
