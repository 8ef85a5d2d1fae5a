import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../errors.js';
import { lessonsDir } from './lessons.js';

/** Writes `lessons/<name>.md`, a page that runs as it is; returns its path. Never overwrites a page. */
export function createLesson(name: string, options: { title?: string; docker: boolean }, dir = lessonsDir): string {
  if (!/^[A-Za-z0-9][\w-]*$/.test(name)) {
    throw new InputError(`"${name}" cannot be a lesson name: use letters, digits, - and _ (it names the page and its snapshot)`);
  }
  const path = join(dir, `${name}.md`);
  if (existsSync(path)) throw new InputError('already exists: edit it, or choose another name', path);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, scaffold(options.title ?? titleFrom(name), options.docker), { flag: 'wx' });
  return path;
}

/** `docker-hub_tags` → `Docker hub tags`. */
function titleFrom(name: string): string {
  const words = name.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function scaffold(title: string, docker: boolean): string {
  const command = docker ? 'docker run --rm alpine echo "Hello"' : 'echo "Hello"';
  // The title goes through YAML, which quotes it only when it must (a colon, a leading #...).
  return `---
${stringify({ title }).trim()}
${docker ? 'requires: [docker]\n' : ''}timeout: 60s
---
# ${title}

What this lesson shows, in a sentence or two.

## First step

A command after a prompt runs; the lines under it are the output you expect.

\`\`\`console
$ ${command}
Hello
\`\`\`
`;
}
