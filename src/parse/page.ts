import GithubSlugger from 'github-slugger';
import type { Code, Html, InlineCode, Nodes, Paragraph, Parent, Root, Yaml } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Annotations, Settings } from '../types.js';
import { annotationComment, parseAnnotations, type Problem } from './annotations.js';
import { fileLabel } from './labels.js';
import { shellLanguages } from './languages.js';
import { readFrontMatter } from './front-matter.js';
import { layered, type SettingsLayer } from './settings.js';
import { parseMarkdown, toLf } from './markdown.js';
import { checkNesting } from './text.js';

export interface SectionStart {
  title: string;
  slug: string;
  line: number;
}

/** A fenced or indented code block, or a command in inline code alone on its line, with what the page says around it. */
export interface CodeBlock {
  /** Info string's first word, lower-cased (`dockerfile`, `console`...). */
  lang?: string;
  meta?: string;
  value: string;
  /** Line of the opening fence. */
  line: number;
  /** Line of the block's first content line. */
  contentLine: number;
  /** The file name the page gives the block (see `fileLabel`), or `title=`/`file=`. */
  label?: string;
  annotations: Annotations;
  section: SectionStart;
  /** Inline code that is the whole of its line (`` `docker ps` `` as a paragraph): a command if it reads as one. */
  inline?: boolean;
  /**
   * Nothing but, at most, a paragraph introducing output ("You should see:") stands between the
   * previous block and this one: it may show the previous block's output.
   */
  followsBlock: boolean;
  /** The paragraph just before the block, as text: where a page says "in another terminal". */
  intro?: string;
}

export interface Page {
  name: string;
  path: string;
  settings: Settings;
  sections: SectionStart[];
  blocks: CodeBlock[];
  /** Unknown keys, when read leniently; otherwise they throw. */
  problems: Problem[];
}

export interface ReadOptions {
  /** Record unknown annotation and front-matter keys in `problems` instead of throwing (`lesson lint`). */
  lenient?: boolean;
  /** What the front matter goes over: the defaults with what the config file gives every page. */
  base?: Settings;
  /** What the command line sets, over the front matter (`--check-page`). */
  commandLine?: SettingsLayer;
}

/** Markdown text → the page's settings, sections and code blocks in reading order. Pure. */
export function readPage(source: string, path: string, name: string, options: ReadOptions = {}): Page {
  const lines = toLf(source).split('\n');
  checkNesting(lines, path);
  const tree = parseMarkdown(source, path);
  const problems: Problem[] = [];
  const lenient = options.lenient ? problems : undefined;
  const frontMatter = tree.children.find((node): node is Yaml => node.type === 'yaml');
  const fromPage = readFrontMatter(frontMatter?.value, path, frontMatter?.position?.start.line ?? 1, lenient, options.base);
  const settings = options.commandLine ? layered(fromPage, options.commandLine) : fromPage;

  const slugger = new GithubSlugger();
  const top: SectionStart = { title: name, slug: slugger.slug(name), line: 1 };
  const sections: SectionStart[] = [];
  const blocks: CodeBlock[] = [];
  let section = top;
  let lastBlockNode: Nodes | undefined;
  // A comment before a label paragraph is read for the paragraph and for the block: once is enough.
  const read = new Map<Html, Annotations>();
  const readComment = (comment: Html | undefined): Annotations => {
    const body = comment ? annotationComment(comment.value) : undefined;
    if (body === undefined) return {};
    if (!read.has(comment!)) read.set(comment!, parseAnnotations(body, { file: path, line: lineOf(comment!), strict: true, problems: lenient }));
    return read.get(comment!)!;
  };

  /** `inherited`: the annotation comment just before the list the nodes are in, which applies to its inline commands. */
  const walk = (parent: Parent, inherited?: Html) => {
    parent.children.forEach((node, index) => {
      // Only the last few siblings matter; copying all of them made a page of thousands of blocks quadratic.
      const around = () => surroundings(parent.children.slice(Math.max(0, index - 4), index) as Nodes[], lastBlockNode);
      if (node.type === 'heading') {
        section = { title: toString(node), slug: slugger.slug(toString(node)), line: lineOf(node) };
        sections.push(section);
      } else if (node.type === 'code') {
        const context = around();
        blocks.push(readBlock(node, context, readComment(context.comment), section, path, lines));
        lastBlockNode = node;
      } else if (node.type === 'paragraph') {
        const commands = wholeLineCode(node);
        // The comment right before this paragraph, or before the list it is in: not one before the paragraph before.
        const given = commands.length > 0 ? readComment(commentRightBefore(parent, index) ?? inherited) : {};
        for (const code of commands) {
          blocks.push({ value: code.value, line: lineOf(code), contentLine: lineOf(code), annotations: given, section, inline: true, followsBlock: false });
        }
        if (commands.length > 0) lastBlockNode = node;
      } else if ('children' in node) {
        walk(node, node.type === 'list' ? (commentRightBefore(parent, index) ?? inherited) : inherited);
      }
    });
  };
  walk(tree as Root);
  if (sections.length === 0 || (blocks[0] && blocks[0].line < sections[0]!.line)) sections.unshift(top);
  return { name, path, settings, sections, blocks, problems };
}

interface Surroundings {
  /** The node just before, an annotation comment aside: where a file label would be. */
  previous?: Nodes;
  /** A `<!-- lesson: ... -->` comment among the two nodes just before. */
  comment?: Html;
  followsBlock: boolean;
}

const outputCue = /\b(?:output|prints?|shows?|see|returns?|result|response|responds|displays?|gives?|looks? like)\b[^:]*:\s*$/i;

function surroundings(before: Nodes[], lastBlockNode: Nodes | undefined): Surroundings {
  const isComment = (node: Nodes | undefined): node is Html => node?.type === 'html' && annotationComment(node.value) !== undefined;
  const [beforeLast, last] = before.length >= 2 ? before.slice(-2) : [undefined, before[0]];
  // The comment right before, or before the label paragraph; one before the block just before is that block's.
  const comment = isComment(last) ? last : isComment(beforeLast) && last?.type !== 'code' ? beforeLast : undefined;
  const others = before.slice(-4).filter((node) => !isComment(node));
  const [previous, beforePrevious] = others.slice(-2).reverse();
  const cue = previous?.type === 'paragraph' && outputCue.test(toString(previous));
  const followsBlock = lastBlockNode !== undefined && (previous === lastBlockNode || (cue && beforePrevious === lastBlockNode));
  return { previous, comment, followsBlock };
}

function readBlock(node: Code, around: Surroundings, commentAnnotations: Annotations, section: SectionStart, path: string, lines: string[]): CodeBlock {
  const line = lineOf(node);
  const fenced = /^[\s>*+\-\d.)]*(```|~~~)/.test(lines[line - 1] ?? '');
  const infoAnnotations = node.meta ? parseAnnotations(node.meta, { file: path, line, strict: false }) : {};
  const annotations = { ...infoAnnotations, ...commentAnnotations };
  const lang = languageOf(node.lang);
  return {
    lang,
    meta: node.meta ?? undefined,
    value: node.value,
    line,
    contentLine: fenced ? line + 1 : line,
    label: annotations.file ?? fileLabel(around.previous, shellLanguages.has(lang ?? '')),
    annotations,
    section,
    followsBlock: around.followsBlock,
    ...(around.previous?.type === 'paragraph' && { intro: toString(around.previous) }),
  };
}

/** `Dockerfile` → `dockerfile`; pandoc's `{.bash}` → `bash`. */
function languageOf(info: string | null | undefined): string | undefined {
  const word = info?.replace(/^\{?\.?/, '').replace(/[}]$/, '').toLowerCase();
  return word || undefined;
}

/** Inline code that is alone on its source line: the whole paragraph, or a whole line of it. */
function wholeLineCode(paragraph: Paragraph): InlineCode[] {
  const { children } = paragraph;
  const lineBreak = (node: Nodes | undefined, side: 'before' | 'after') =>
    node === undefined || node.type === 'break' || (node.type === 'text' && (side === 'before' ? /\n[ \t]*$/ : /^[ \t]*\n/).test(node.value));
  return children.filter(
    (child, index): child is InlineCode => child.type === 'inlineCode' && lineBreak(children[index - 1], 'before') && lineBreak(children[index + 1], 'after'),
  );
}

/** The annotation comment that is the node just before `parent.children[index]`, if it is one. */
function commentRightBefore(parent: Parent, index: number): Html | undefined {
  const previous = parent.children[index - 1];
  return previous?.type === 'html' && annotationComment(previous.value) !== undefined ? previous : undefined;
}

function lineOf(node: Nodes): number {
  return node.position?.start.line ?? 1;
}
