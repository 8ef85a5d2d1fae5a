import type { Root } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']);

/** Markdown source → mdast, with a position on every node. CRLF pages read as LF pages. */
export function parseMarkdown(source: string): Root {
  return processor.parse(toLf(source));
}

export function toLf(source: string): string {
  return source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}
