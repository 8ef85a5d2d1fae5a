import type { Nodes, Parent, PhrasingContent, Root, RootContent } from 'mdast';
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { InputError } from '../errors.js';

// Pages are read into mdast, the syntax tree of remark, with a position on every node; the tokens
// come from markdown-it's CommonMark parser, measured at 30-50 MB/s on tutorial pages where
// micromark (remark's tokenizer) gives 1-2 MB/s (docs/performance.md). Both are CommonMark parsers;
// test/parse/markdown.test.ts checks that their block structure agrees on every page we know.
// markdown-it silently drops what is nested deeper than this (quotes in lists in quotes...): such a
// page is refused with its line instead (see deeperThanRead), so no block is ever lost without a word.
const maxNesting = 64;
const tokenizer = new MarkdownIt('commonmark');
// Read by markdown-it's block parser, though its typings leave it out.
(tokenizer.options as { maxNesting?: number }).maxNesting = maxNesting;

/** Markdown source → mdast, with a line position on every node. CRLF pages read as LF pages. */
export function parseMarkdown(source: string, file?: string): Root {
  const text = toLf(source);
  const frontMatter = readFrontMatterBlock(text);
  // Front matter lines are blanked, not removed, so every token keeps its line number.
  const body = frontMatter ? '\n'.repeat(frontMatter.endLine) + text.slice(frontMatter.bodyStart) : text;
  const root: Root = { type: 'root', children: [], position: span(1, countLines(text)) };
  if (frontMatter) root.children.push({ type: 'yaml', value: frontMatter.value, position: span(1, frontMatter.endLine) });
  const tokens = tokenizer.parse(body, {});
  const tooDeep = tokens.find((token) => token.level >= maxNesting - 1);
  if (tooDeep) throw new InputError(`nested more than ${maxNesting - 2} levels deep (quotes and lists): not read`, file, (tooDeep.map?.[0] ?? 0) + 1);
  buildBlocks(tokens, root);
  return root;
}

export function toLf(source: string): string {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function countLines(text: string): number {
  let lines = 1;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

/** YAML front matter: a `---` first line, up to the next `---` line; `bodyStart` is the offset of the line after it. */
function readFrontMatterBlock(text: string): { value: string; endLine: number; bodyStart: number } | undefined {
  const open = /^---[ \t]*\n/.exec(text);
  if (!open) return undefined;
  // Lines end at \n only: with the `m` flag, U+2028 and U+2029 inside a line would end it too.
  const close = /(?<=^|\n)---[ \t]*(?=\n|$)/.exec(text.slice(open[0].length));
  if (!close) return undefined;
  const value = text.slice(open[0].length, open[0].length + close.index).replace(/\n$/, '');
  const closeEnd = open[0].length + close.index + close[0].length;
  return { value, endLine: countLines(text.slice(0, closeEnd)), bodyStart: closeEnd + 1 };
}

/** Turns markdown-it's flat open/close token stream into nested mdast nodes under `root`. */
function buildBlocks(tokens: Token[], root: Root): void {
  const stack: Parent[] = [root];
  const add = (node: RootContent) => (stack.at(-1)!.children as RootContent[]).push(node);
  for (const token of tokens) {
    const position = token.map ? span(token.map[0] + 1, token.map[1]) : undefined;
    switch (token.type) {
      case 'heading_open':
        stack.push(withPosition({ type: 'heading', depth: Number(token.tag.slice(1)) as 1, children: [] }, position));
        break;
      case 'paragraph_open':
        stack.push(withPosition({ type: 'paragraph', children: [] }, position));
        break;
      case 'blockquote_open':
        stack.push(withPosition({ type: 'blockquote', children: [] }, position));
        break;
      case 'bullet_list_open':
      case 'ordered_list_open':
        stack.push(withPosition({ type: 'list', ordered: token.type === 'ordered_list_open', spread: false, children: [] }, position));
        break;
      case 'list_item_open':
        stack.push(withPosition({ type: 'listItem', spread: false, children: [] }, position));
        break;
      case 'heading_close':
      case 'paragraph_close':
      case 'blockquote_close':
      case 'bullet_list_close':
      case 'ordered_list_close':
      case 'list_item_close': {
        const node = stack.pop() as RootContent;
        add(node);
        break;
      }
      case 'inline':
        (stack.at(-1)!.children as PhrasingContent[]).push(...buildInline(token.children ?? [], position?.start.line ?? 1));
        break;
      case 'fence': {
        const [lang, ...meta] = token.info.trim().split(/\s+/);
        add(withPosition({ type: 'code', lang: lang || null, meta: meta.length ? meta.join(' ') : null, value: token.content.replace(/\n$/, '') }, position));
        break;
      }
      case 'code_block':
        add(withPosition({ type: 'code', lang: null, meta: null, value: token.content.replace(/\n$/, '') }, position));
        break;
      case 'html_block':
        add(withPosition({ type: 'html', value: token.content.replace(/\n$/, '') }, position));
        break;
      case 'hr':
        add(withPosition({ type: 'thematicBreak' }, position));
        break;
    }
  }
}

/** Inline tokens → phrasing nodes; what the planner reads is text and inline code, each at its line. */
function buildInline(tokens: Token[], firstLine: number): PhrasingContent[] {
  const stack: { children: PhrasingContent[]; url?: string }[] = [{ children: [] }];
  let line = firstLine;
  const add = (node: PhrasingContent) => stack.at(-1)!.children.push(withPosition(node, span(line, line)));
  for (const token of tokens) {
    switch (token.type) {
      case 'text':
        add({ type: 'text', value: token.content });
        break;
      case 'code_inline':
        add({ type: 'inlineCode', value: token.content });
        break;
      case 'softbreak':
      case 'hardbreak':
        add(token.type === 'softbreak' ? { type: 'text', value: '\n' } : { type: 'break' });
        line++;
        break;
      case 'html_inline':
        add({ type: 'html', value: token.content });
        break;
      case 'image':
        add({ type: 'image', url: token.attrGet('src') ?? '', alt: token.content });
        break;
      case 'em_open':
      case 'strong_open':
      case 'link_open':
        stack.push({ children: [], url: token.attrGet('href') ?? undefined });
        break;
      case 'em_close':
      case 'strong_close':
      case 'link_close': {
        const { children, url = '' } = stack.pop()!;
        if (token.type === 'em_close') add({ type: 'emphasis', children });
        else if (token.type === 'strong_close') add({ type: 'strong', children });
        else add({ type: 'link', url, children });
        break;
      }
    }
  }
  return stack[0]!.children;
}

function span(startLine: number, endLine: number) {
  return { start: { line: startLine, column: 1 }, end: { line: Math.max(startLine, endLine), column: 1 } };
}

function withPosition<T extends Nodes>(node: T, position: ReturnType<typeof span> | undefined): T {
  if (position) node.position = position;
  return node;
}
