import type { Nodes, Paragraph } from 'mdast';
import { toString } from 'mdast-util-to-string';

const fileName = /^(\/|(\.\.?\/)+)?[\w][\w.-]*(\/[\w.-]+)*$/;
// Any case: a page that names `dockerfile` means a file, and lint says the name differs from Dockerfile.
const knownFiles = /^(Dockerfile|Containerfile|Makefile|Gemfile|Procfile|Vagrantfile|Jenkinsfile|Caddyfile)([.-][\w.-]+)?$/i;
/** An extension with a letter in it: `app.py`, `video.mp4`, but not the `7.2` of `redis:7.2`. */
const extension = /\.[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*$/;
const scriptExtension = /\.(sh|bash|zsh|ksh)$/;
/** Words that, just before a file name, say the block is that file's content. */
const writingWord = /\b(?:create|save|write|named|called|as|to|in|into|edit|update|open|file|add|paste|put)\s*$/i;

export function isFileName(text: string): boolean {
  if (!fileName.test(text)) return false;
  const base = text.split('/').pop()!;
  return knownFiles.test(base) || extension.test(base);
}

/**
 * The file a block is written to, as the page names it in the node just before the block: a
 * paragraph or a heading that is only a file name (`Dockerfile.base`, `### app.py`), or a sentence
 * naming it in inline code ("Create a file named `Dockerfile` with:"). For a shell block the
 * sentence must name a script and say it is written, so "Run it where `Dockerfile` is:" stays a
 * command.
 */
export function fileLabel(node: Nodes | undefined, shell: boolean): string | undefined {
  if (node?.type !== 'paragraph' && node?.type !== 'heading') return undefined;
  const whole = toString(node).trim().replace(/:$/, '');
  if (isFileName(whole)) return whole;
  return node.type === 'paragraph' ? namedInSentence(node, shell) : undefined;
}

/** A file name in inline code in the paragraph's last sentence. */
function namedInSentence(paragraph: Paragraph, shell: boolean): string | undefined {
  const codes: string[] = [];
  // Inline code becomes a marker, so the dots of `app.py` never end a sentence.
  const text = paragraph.children
    .map((child) => (child.type === 'inlineCode' ? `\u0000${codes.push(child.value) - 1}\u0000` : toString(child)))
    .join('');
  const sentence = text.split(/(?<=[.!?])\s+/).at(-1) ?? '';
  const candidates = [...sentence.matchAll(/\u0000(\d+)\u0000/g)]
    .map((found) => ({ name: codes[Number(found[1])]!, before: sentence.slice(0, found.index).replace(/\s+(?:a|an|the|new|your)\s*$/i, '') }))
    .filter((candidate) => isFileName(candidate.name));
  const written = candidates.filter((candidate) => writingWord.test(candidate.before));
  if (shell) {
    const saysWritten = /\b(?:create|save|write|named|called)\b/i.test(sentence);
    return saysWritten ? written.find((candidate) => scriptExtension.test(candidate.name))?.name : undefined;
  }
  return candidates.length === 1 ? candidates[0]!.name : written[0]?.name;
}
