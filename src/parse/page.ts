import GithubSlugger from 'github-slugger';
import type { Code, Heading, Nodes, Parent, Root, Yaml } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Annotations, Settings } from '../types.js';
import { annotationComment, parseAnnotations } from './annotations.js';
import { readFrontMatter } from './front-matter.js';
import { parseMarkdown, toLf } from './markdown.js';

export interface SectionStart {
  title: string;
  slug: string;
  line: number;
}

/** A fenced or indented code block with what the page says around it. */
export interface CodeBlock {
  /** Info string's first word, lower-cased (`dockerfile`, `console`...). */
  lang?: string;
  meta?: string;
  value: string;
  /** Line of the opening fence. */
  line: number;
  /** Line of the block's first content line. */
  contentLine: number;
  /** The file name the page gives the block, from a paragraph that is only a file name or `title=`/`file=`. */
  label?: string;
  annotations: Annotations;
  section: SectionStart;
}

export interface Page {
  name: string;
  path: string;
  settings: Settings;
  sections: SectionStart[];
  blocks: CodeBlock[];
}

/** Markdown text → the page's settings, sections and code blocks in reading order. Pure. */
export function readPage(source: string, path: string, name: string): Page {
  const tree = parseMarkdown(source);
  const lines = toLf(source).split('\n');
  const frontMatter = tree.children.find((node): node is Yaml => node.type === 'yaml');
  const settings = readFrontMatter(frontMatter?.value, path, frontMatter?.position?.start.line ?? 1);

  const slugger = new GithubSlugger();
  const top: SectionStart = { title: name, slug: slugger.slug(name), line: 1 };
  const sections: SectionStart[] = [];
  const blocks: CodeBlock[] = [];
  let section = top;

  const walk = (parent: Parent) => {
    parent.children.forEach((node, index) => {
      if (node.type === 'heading') {
        section = { title: toString(node), slug: slugger.slug(toString(node)), line: lineOf(node) };
        sections.push(section);
      } else if (node.type === 'code') {
        blocks.push(readBlock(node, parent.children.slice(0, index) as Nodes[], section, path, lines));
      } else if ('children' in node) {
        walk(node);
      }
    });
  };
  walk(tree as Root);
  if (sections.length === 0 || (blocks[0] && blocks[0].line < sections[0]!.line)) sections.unshift(top);
  return { name, path, settings, sections, blocks };
}

function readBlock(node: Code, before: Nodes[], section: SectionStart, path: string, lines: string[]): CodeBlock {
  const line = lineOf(node);
  const fenced = /^[\s>*+\-\d.)]*(```|~~~)/.test(lines[line - 1] ?? '');
  const infoAnnotations = node.meta ? parseAnnotations(node.meta, { file: path, line, strict: false }) : {};
  const [previous, beforePrevious] = before.slice(-2).reverse();
  const label = fileLabel(previous);
  const commentNode = label ? beforePrevious : previous;
  const commentBody = commentNode?.type === 'html' ? annotationComment(commentNode.value) : undefined;
  const commentAnnotations = commentBody === undefined
    ? {}
    : parseAnnotations(commentBody, { file: path, line: lineOf(commentNode!), strict: true });
  const annotations = { ...infoAnnotations, ...commentAnnotations };
  return {
    lang: node.lang?.toLowerCase() ?? undefined,
    meta: node.meta ?? undefined,
    value: node.value,
    line,
    contentLine: fenced ? line + 1 : line,
    label: annotations.file ?? label,
    annotations,
    section,
  };
}

const fileName = /^(\/|(\.\.?\/)+)?[\w][\w.-]*(\/[\w.-]+)*$/;
const knownFiles = /^(Dockerfile|Containerfile|Makefile|Gemfile|Procfile|Vagrantfile|Jenkinsfile|Caddyfile)([.-][\w.-]+)?$/;

/** A paragraph that is only a file name (`Dockerfile.base`, `app/main.py`) labels the block after it. */
function fileLabel(node: Nodes | undefined): string | undefined {
  if (node?.type !== 'paragraph') return undefined;
  const text = toString(node).trim();
  if (!fileName.test(text)) return undefined;
  const base = text.split('/').pop()!;
  return knownFiles.test(base) || /\.[A-Za-z0-9]+$/.test(base) ? text : undefined;
}

function lineOf(node: Nodes): number {
  return node.position?.start.line ?? 1;
}
